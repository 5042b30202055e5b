/**
 * Scenario 2: spooldir (one 1 GiB file of 500-byte lines) → memory → null
 * (test/peers/flume/bench/s2.properties).
 */
import { spoolingScenario } from '../harness/spooling.ts';

export const s2 = spoolingScenario({
  id: 's2',
  title: 'spooldir (1 GiB) → memory → null',
  config: 's2.properties',
  mib: 1024,
  quickLines: 20_000,
});
