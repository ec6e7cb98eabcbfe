import { createI18n } from 'vue-i18n';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import en from 'element-plus/es/locale/lang/en';
import zh from './zh-CN.js';
import enMessages from './en.js';

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('gongzhi.locale') : null;

// Chinese first; English on request. Every visible string comes from these catalogues.
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en: enMessages },
});

export function elementLocale(locale) {
  return locale === 'en' ? en : zhCn;
}

export function setLocale(locale) {
  i18n.global.locale.value = locale;
  localStorage.setItem('gongzhi.locale', locale);
  document.documentElement.lang = locale;
}
