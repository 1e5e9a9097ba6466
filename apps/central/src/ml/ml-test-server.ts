/**
 * For tests only: the real ML server (`startMlServer` of @cloudoptim/ml-server: shipped market data, HiGHS, its
 * own PGlite store in a temporary directory) on a free local port, and an `MlClient` pointed at it. Loading the
 * market takes seconds: start one per test file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlClient } from '@cloudoptim/api-client';
import { loadMlServerConfig, startMlServer } from '@cloudoptim/ml-server';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';

export const ML_TEST_KEY = 'central-tests-ml-service-key-0123';

export interface MlTestServer {
  url: string;
  client: MlClient;
  close(): Promise<void>;
}

/** Starts the ML server on 127.0.0.1:0; `nowMs` is the ML server's clock (decisions take their time from the request). */
export async function startMlTestServer(nowMs = Date.parse('2025-11-26T09:00:00Z')): Promise<MlTestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-ml-test-'));
  // Port 0 (any free port) is not a valid configured port, so it is set after parsing.
  const config = { ...loadMlServerConfig({ ML_SERVER_API_KEY: ML_TEST_KEY, HOST: '127.0.0.1', ML_SERVER_DATA_DIR: dataDir }), PORT: 0 };
  const server = await startMlServer(config, { log: silentLogger, clock: new ManualClock(nowMs) });
  return {
    url: server.url,
    client: new MlClient({ baseUrl: server.url, serviceKey: ML_TEST_KEY }),
    close: async () => {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
