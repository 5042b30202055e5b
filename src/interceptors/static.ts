/**
 * `static` interceptor (org.apache.flume.interceptor.StaticInterceptor$Builder): sets one constant
 * header. Unlike the other header interceptors, `preserveExisting` defaults to true. An empty `value`
 * cannot be configured: empty properties are dropped (as Flume drops them), so `value` falls back to
 * its default, the string "value".
 */
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import { putHeader } from './util/put-header.ts';

export const staticInterceptor = defineInterceptor({
  type: 'static',
  flumeClass: 'org.apache.flume.interceptor.StaticInterceptor$Builder',
  description: 'Sets one header to a constant value.',
  options: {
    key: opt.string('The header to set.', { default: 'key' }),
    value: opt.string('Its value.', { default: 'value' }),
    preserveExisting: opt.bool('Leave events that already have the header as they are.', { default: true }),
  },
  create: (o) => ({ intercept: (events) => putHeader(events, o.key, o.value, o.preserveExisting) }),
});
