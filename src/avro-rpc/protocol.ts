/**
 * Flume's `AvroSourceProtocol` (flume-ng-sdk `flume.avdl`) exactly as Java Avro renders it.
 * The licence comment of the IDL file is part of the protocol `doc`, so it is part of the text
 * whose MD5 both ends exchange in the handshake: any other rendering costs a handshake round trip
 * on every connection and can break Java clients (see docs on the NONE answer in handshake.ts).
 */
import { createHash } from 'node:crypto';

const LICENCE_DOC = [
  '* Licensed to the Apache Software Foundation (ASF) under one',
  ' * or more contributor license agreements.  See the NOTICE file',
  ' * distributed with this work for additional information',
  ' * regarding copyright ownership.  The ASF licenses this file',
  ' * to you under the Apache License, Version 2.0 (the',
  ' * "License"); you may not use this file except in compliance',
  ' * with the License.  You may obtain a copy of the License at',
  ' *',
  ' * http://www.apache.org/licenses/LICENSE-2.0',
  ' *',
  ' * Unless required by applicable law or agreed to in writing,',
  ' * software distributed under the License is distributed on an',
  ' * "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY',
  ' * KIND, either express or implied.  See the License for the',
  ' * specific language governing permissions and limitations',
  ' * under the License.',
].join('\n');

/** Key order matters: `JSON.stringify` of this object is the exact text Java hashes. */
export const PROTOCOL = {
  protocol: 'AvroSourceProtocol',
  namespace: 'org.apache.flume.source.avro',
  doc: LICENCE_DOC,
  types: [
    { type: 'enum', name: 'Status', symbols: ['OK', 'FAILED', 'UNKNOWN'] },
    {
      type: 'record',
      name: 'AvroFlumeEvent',
      fields: [
        { name: 'headers', type: { type: 'map', values: 'string' } },
        { name: 'body', type: 'bytes' },
      ],
    },
  ],
  messages: {
    append: { request: [{ name: 'event', type: 'AvroFlumeEvent' }], response: 'Status' },
    appendBatch: {
      request: [{ name: 'events', type: { type: 'array', items: 'AvroFlumeEvent' } }],
      response: 'Status',
    },
  },
} as const;

export const PROTOCOL_JSON = JSON.stringify(PROTOCOL);

/** MD5 of the UTF-8 protocol text: `86aadae2c45474c0fe93ffd0f2350a65`. */
export const PROTOCOL_HASH: Buffer = createHash('md5').update(PROTOCOL_JSON, 'utf8').digest();

export type Status = 'OK' | 'FAILED' | 'UNKNOWN';
export const STATUSES: readonly Status[] = ['OK', 'FAILED', 'UNKNOWN'];

export type MessageKind = 'append' | 'appendBatch';
