import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The gongzhi binary serves dist/; during `npm run dev` API calls go to a local gongzhi.
export default defineConfig({
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
});
