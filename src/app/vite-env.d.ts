/// <reference types="vite-plugin-pwa/client" />
/** The build's version and time (vite.config.ts), shown in the footer and the update banner's tests. */
declare const __BUILD_ID__: string;
