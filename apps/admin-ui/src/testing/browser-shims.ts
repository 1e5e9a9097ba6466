/**
 * Browser APIs jsdom lacks that Mantine and uPlot use (uPlot reads matchMedia when its module loads, so this
 * module must be imported before any component). No live stream in component tests: without WebSocket the
 * stream hook stays idle and tests drive `applyAdminEvent` themselves.
 */
if (typeof window !== 'undefined') {
  if (!window.matchMedia) {
    window.matchMedia = (query: string) =>
      ({ matches: false, media: query, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }) as MediaQueryList;
  }
  if (!('ResizeObserver' in window)) {
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }
  Element.prototype.scrollIntoView ??= function scrollIntoView() {};
  (window as unknown as { WebSocket: unknown }).WebSocket = undefined;
  (globalThis as unknown as { WebSocket: unknown }).WebSocket = undefined;
}
export {};
