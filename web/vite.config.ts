import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    // Report sizes; the initial bundle must stay under 250 KB gzipped (charts load lazily).
    reportCompressedSize: true,
    chunkSizeWarningLimit: 900,
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
