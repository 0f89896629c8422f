// The one place that names the front-end stack: Preact with its hooks and htm (tagged templates instead of JSX, so
// there is no build step), from the org.mvnpm:htm jar's META-INF/resources.
export { html, render, useState, useEffect, useRef, useMemo, useCallback } from '/_static/htm/3.1.1/preact/standalone.module.js';
