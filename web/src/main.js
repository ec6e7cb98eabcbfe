import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import 'leaflet/dist/leaflet.css';
import App from './App.vue';
import { i18n, elementLocale } from './i18n/index.js';
import './style.css';

const app = createApp(App);
app.use(i18n);
app.use(ElementPlus, { locale: elementLocale(i18n.global.locale.value) });
app.mount('#app');
