import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two pages, served by `bizkey-graphql --dapp-dir dist` under /app/ beside
// the API (/graphql, /graphql/ws) and the page config (/app/config.json).
export default defineConfig({
  base: '/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // polkadot-js is most of the bytes; one chunk shared by both pages.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      onwarn(warning, warn) {
        // polkadot-js marks pure calls where Rollup cannot use the hint.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
      input: {
        wallet: resolve(import.meta.dirname, 'wallet/index.html'),
        console: resolve(import.meta.dirname, 'console/index.html'),
      },
    },
  },
  server: {
    // `npm run dev` against a running `bizkey-graphql --dapp-dir …`.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:8080', ws: true },
      '/app/config.json': 'http://127.0.0.1:8080',
      '/app/abi': 'http://127.0.0.1:8080',
    },
  },
});
