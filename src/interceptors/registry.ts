import { Registry } from '../core/registry.ts';
import type { InterceptorDescriptor } from '../core/component.ts';

/** Every interceptor type, one line each. */
export const interceptors = new Registry<InterceptorDescriptor>('interceptor', [
]);
