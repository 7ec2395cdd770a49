/**
 * Starts loading the signed-in shell and the page of the address while the session is restored
 * (the refresh and /me, /overview): a reload or a deep link then costs one wait, not three in a
 * row.
 */
export function preloadSignedIn(pathname: string) {
  void import('./SignedIn').catch(() => undefined); // a failure shows when it renders
  void import('./routes').then((r) => r.preloadPage(pathname)).catch(() => undefined);
}
