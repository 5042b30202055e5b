import { Registry } from '../core/registry.ts';
import type { InterceptorDescriptor } from '../core/component.ts';
import { hostInterceptor } from './host.ts';
import { regexExtractorInterceptor } from './regex-extractor.ts';
import { regexFilterInterceptor } from './regex-filter.ts';
import { removeHeaderInterceptor } from './remove-header.ts';
import { searchReplaceInterceptor } from './search-replace.ts';
import { staticInterceptor } from './static.ts';
import { timestampInterceptor } from './timestamp.ts';
import { uuidInterceptor } from './uuid.ts';

/** Every interceptor type, one line each. */
export const interceptors = new Registry<InterceptorDescriptor>('interceptor', [
  timestampInterceptor,
  hostInterceptor,
  staticInterceptor,
  removeHeaderInterceptor,
  uuidInterceptor,
  regexFilterInterceptor,
  regexExtractorInterceptor,
  searchReplaceInterceptor,
]);
