import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API answers every path outside /console/ on the same origin (see README.md): the dev server
// proxies those to PAC_API so the refresh cookie stays first-party, as it is when deployed.
const api = process.env.PAC_API ?? 'http://127.0.0.1:3100';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 5173),
    strictPort: true,
    proxy: {
      // Everything that is not the console itself (nor Vite's own /@… and /node_modules paths).
      '^/(?!console(/|$)|@|node_modules/|src/).*': {
        target: api,
        changeOrigin: false,
        // The refresh route checks Origin against the site's origin: present the API's own.
        configure: (proxy) => {
          proxy.on('proxyReq', (req) => {
            if (req.getHeader('origin')) req.setHeader('origin', api);
          });
        },
      },
    },
  },
  preview: { host: '127.0.0.1' },
});
