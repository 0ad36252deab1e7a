// Real-broker tests wait on events (joins, rebalances, fetches); this bounds how long a broken one hangs.
jest.setTimeout(120_000);
