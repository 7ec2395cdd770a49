// Fluent UI's focus manager (tabster) puts two hidden focus "bumpers" (<i aria-hidden="true"
// tabindex="0" data-tabster-dummy>) at the start and end of <body> as soon as a menu or dialog
// exists, to wrap Tab around the page. axe and Lighthouse flag them (aria-hidden-focus; a known
// false positive: microsoft/tabster#288). Taking them out of the Tab order keeps the browser's own
// behaviour at the page's ends (Tab leaves for the browser's UI) and leaves dialogs' own focus
// traps, which are inside the dialogs, untouched.
export function tameTabsterBumpers(): void {
  const fix = () => {
    for (const el of document.querySelectorAll('body > i[data-tabster-dummy][tabindex="0"]')) {
      el.setAttribute('tabindex', '-1');
    }
  };
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true, attributeFilter: ['tabindex'] });
}
