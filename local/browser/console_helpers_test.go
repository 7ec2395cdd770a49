package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// finder is the in-page half of the console tests: it finds elements as a person (or a screen
// reader) does, by role and accessible name, and by the label of a form field, so the tests
// drive the console through what it shows rather than through its markup. Installed into every
// document of a tab over the DevTools protocol (Page.addScriptToEvaluateOnNewDocument), which
// the console's Content-Security-Policy does not govern; the console itself never sees it.
//
// Inside an open dialog only the dialog counts, as for a person: the page behind it is inert.
const finder = `window.__pac = (() => {
  // Requests in flight and the time of the last change to the page (a request begun or ended, a
  // node added, removed or changed): a page is ready when its data has come and it has been
  // quiet for a moment (a route change renders in a transition, after the address changed).
  let pending = 0;
  let changed = performance.now();
  const touch = () => { changed = performance.now(); };
  const fetch = window.fetch.bind(window);
  window.fetch = (...args) => {
    pending++;
    touch();
    return fetch(...args).finally(() => { pending--; touch(); });
  };
  new MutationObserver(touch).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  // Fluent marks required fields with a trailing " *" in the label.
  const clean = (s) => norm(s).replace(/\s*\*$/, '');
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none') return false;
    return el.getClientRects().length > 0;
  };
  const byIds = (ids) => norm(ids.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' '));
  // The text a screen reader reads: without what is aria-hidden.
  const textOf = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach((h) => h.remove());
    return norm(copy.textContent);
  };
  const nameOf = (el) => {
    if (el.getAttribute('aria-labelledby')) return byIds(el.getAttribute('aria-labelledby'));
    if (el.getAttribute('aria-label')) return norm(el.getAttribute('aria-label'));
    if (el.labels && el.labels.length) return textOf(el.labels[0]);
    return textOf(el);
  };
  const scope = () => {
    const dialogs = [...document.querySelectorAll('[role=dialog],[role=alertdialog]')].filter(shown);
    return dialogs.length ? dialogs[dialogs.length - 1] : document;
  };
  const roles = {
    button: 'button, [role=button]',
    link: 'a[href]',
    menuitem: '[role=menuitem], [role=menuitemradio], [role=menuitemcheckbox]',
    radio: 'input[type=radio]',
    checkbox: 'input[type=checkbox]',
    heading: 'h1, h2, h3, h4',
    table: 'table, [role=table], [role=grid]',
    row: 'tr, [role=row]',
    dialog: '[role=dialog], [role=alertdialog]',
    navigation: 'nav, [role=navigation]',
  };
  const all = (role, name, within) => [...(within || scope()).querySelectorAll(roles[role])]
    .filter((el) => (shown(el) || (el.type === 'radio' || el.type === 'checkbox') && shown(el.parentElement)) && !el.closest('[aria-hidden=true]'))
    .filter((el) => name === undefined || clean(nameOf(el)) === name);
  // The one element of a role with this accessible name (null while there is none; an
  // ambiguous name is an error, so a test never clicks the wrong one of two).
  const get = (role, name, within) => {
    const hits = all(role, name, within);
    if (hits.length > 1) throw new Error(hits.length + ' elements of role ' + role + ' are named ' + JSON.stringify(name));
    return hits[0] || null;
  };
  // The control of the form field labelled label: an input, select or textarea, or the
  // radiogroup a Field labels.
  const field = (label) => {
    const hits = [...scope().querySelectorAll('label')].filter((l) => shown(l) && clean(l.textContent) === label);
    for (const l of hits) {
      if (l.htmlFor && document.getElementById(l.htmlFor)) return document.getElementById(l.htmlFor);
      const group = scope().querySelector('[role=radiogroup][aria-labelledby~="' + l.id + '"]');
      if (l.id && group) return group;
    }
    return null;
  };
  return {
    get, all, field, nameOf,
    // A row of a table, found by the text of one of its cells.
    row: (cellText) => {
      const rows = all('row').filter((r) => [...r.querySelectorAll('td, [role=cell], th')].some((c) => norm(c.textContent) === cellText));
      return rows.length === 1 ? rows[0] : null;
    },
    // Sets a field as typing would end (React sees input and change events).
    set: (label, value) => {
      const el = field(label);
      if (!el) return false;
      const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      el.focus();
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return el.value === value; // a select without that option (yet) keeps its value
    },
    // The page is ready: an h1, no spinner or progress bar, no request in flight.
    // A dialog's focus trap hides the page from screen readers (aria-hidden on #root) and gives it
    // back a moment after the dialog closed: until then the page is not ready either.
    ready: () => pending === 0 && performance.now() - changed > 200 && !!document.querySelector('h1') &&
      ![...document.querySelectorAll('[role=progressbar], .fui-Spinner')].some(shown) &&
      (scope() !== document || !document.querySelector('#root[aria-hidden=true]')),
    rows: () => all('row').map((r) => r.innerText),
    text: () => document.body ? document.body.innerText : '',
  };
})();`

// tab drives one browser tab of the web console.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the site's origin (the console is at base + "/console/")
	name string // the tab's role in the journey, for screenshots and messages

	mu        sync.Mutex
	responses []seenResponse // every response of the site's API, in order
}

type seenResponse struct {
	Method, URL string
	Status      int
	At          time.Time
	Foreign     bool // asked by a page of another origin (the journeys' attacker), not by the site
}

// openTab opens a tab in a new browser context of the browser in parent (its own cookies and
// storage: another person's browser) with the finder installed, and records every response the
// site sends it.
func openTab(t *testing.T, parent context.Context, base, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return setUpTab(t, ctx, base, name)
}

// openTabIn opens another tab in the browser context of c (the same person's browser: its
// cookies).
func openTabIn(t *testing.T, c *tab, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx)
	t.Cleanup(cancel)
	return setUpTab(t, ctx, c.base, name)
}

func setUpTab(t *testing.T, ctx context.Context, base, name string) *tab {
	t.Helper()
	c := &tab{t: t, ctx: ctx, base: base, name: name}
	// The first run opens the tab and binds it to its context: no time limit on it (see newBrowser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open the tab of %s: %v", name, err)
	}
	step(t, ctx, "install the finder in "+name, chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		run := true
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: finder, RunImmediately: &run})
		return chromedp.Void{}, err
	}))
	type request struct {
		method  string
		foreign bool
	}
	requests := map[network.RequestID]request{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			origin, _ := e.Request.Headers["Origin"].(string) // sent cross-origin, and same-origin but for GET
			requests[e.RequestID] = request{e.Request.Method, origin != "" && origin != base}
		case *network.EventResponseReceived:
			if strings.HasPrefix(e.Response.URL, base) && !strings.HasPrefix(e.Response.URL, base+"/console/") {
				r := requests[e.RequestID]
				c.mu.Lock()
				c.responses = append(c.responses, seenResponse{Method: r.method, URL: strings.TrimPrefix(e.Response.URL, base), Status: int(e.Response.Status), At: time.Now(), Foreign: r.foreign})
				c.mu.Unlock()
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// The console does nothing the API cannot: every request the site's pages made in the tab (the
	// console's, a link page's) is an operation of docs/openapi.yaml with documented query
	// parameters. What a page of another origin asks (a CORS preflight) is the attacker's.
	ops := documentedOperations(t)
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		bad, checked := ops.undocumented(c.responses)
		for _, u := range bad {
			t.Errorf("%s: %s", name, u)
		}
		t.Logf("%s: %d requests of the site's pages checked against docs/openapi.yaml", name, checked)
	})
	return c
}

// seen returns the responses so far to method path (path without the query).
func (c *tab) seen(method, path string) []seenResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []seenResponse
	for _, r := range c.responses {
		p, _, _ := strings.Cut(r.URL, "?")
		if r.Method == method && p == path {
			out = append(out, r)
		}
	}
	return out
}

// js quotes v as a JavaScript literal.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// el is the element of role with the accessible name (waited for).
func el(role, name string) chromedp.JSPath {
	return chromedp.JSPath(fmt.Sprintf("__pac.get(%s, %s)", js(role), js(name)))
}

// fieldOf is the control of the field labelled label (waited for).
func fieldOf(label string) chromedp.JSPath {
	return chromedp.JSPath(fmt.Sprintf("__pac.field(%s)", js(label)))
}

// open navigates to a console path (deep link or reload) and waits for the page.
func (c *tab) open(path string) {
	c.t.Helper()
	step(c.t, c.ctx, "open "+path, chromedp.Navigate(c.base+"/console"+path))
	c.ready("open " + path)
}

// ready waits until the page shows its content (an h1, no spinner).
func (c *tab) ready(what string) {
	c.t.Helper()
	step(c.t, c.ctx, what+": wait for the page", chromedp.Poll[chromedp.Void](`window.__pac && __pac.ready()`, chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// click clicks the element of role with the accessible name.
func (c *tab) click(role, name string) {
	c.t.Helper()
	step(c.t, c.ctx, c.name+": click the "+role+" "+name, chromedp.Click(el(role, name)))
}

// nav follows a link of the main navigation and waits for the page (whose h1 is the link's
// name, except on the overview).
func (c *tab) nav(name string) {
	c.t.Helper()
	h1 := name
	if name == "Home" {
		h1 = "Partner overview"
	}
	c.follow(chromedp.JSPath(fmt.Sprintf("__pac.get('link', %s, __pac.get('navigation', 'Main'))", js(name))), name, h1)
}

// section follows a link of the page's section tabs (a navigation landmark named sections); the
// page, and its h1, stay.
func (c *tab) section(sections, name string) {
	c.t.Helper()
	c.follow(chromedp.JSPath(fmt.Sprintf("__pac.get('link', %s, __pac.get('navigation', %s))", js(name), js(sections))), name, "")
}

// follow clicks a link (or a button that navigates) and waits for the address to change, for
// the new page's h1 to read h1 (unless empty) and for the page to be ready. The h1 matters: a
// route renders in a transition, so the old page stays on screen while the new one's code loads.
func (c *tab) follow(link chromedp.JSPath, name, h1 string) {
	c.t.Helper()
	from := c.location()
	step(c.t, c.ctx, c.name+": follow "+name, chromedp.Click(link), chromedp.Poll[chromedp.Void](
		fmt.Sprintf("location.href !== %s && (!%s || [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === %[2]s))", js(from), js(h1)),
		chromedp.WithPollingTimeout(stepTimeout)))
	c.ready("go to " + name)
}

// row is the text of the table row with a cell reading cellText ("" if none).
func (c *tab) row(cellText string) string {
	c.t.Helper()
	got := eval[string](c, "read the row of "+cellText, fmt.Sprintf(`(__pac.row(%s) || {}).innerText || ''`, js(cellText)))
	if got == "" {
		c.t.Logf("no row has a cell %q; the rows: %q", cellText, eval[[]string](c, "read the rows", `__pac.rows()`))
	}
	return got
}

// fill types value into the field labelled label, replacing what it held.
func (c *tab) fill(label, value string) {
	c.t.Helper()
	step(c.t, c.ctx, c.name+": clear "+label, chromedp.WaitVisible(fieldOf(label)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("__pac.set(%s, '')", js(label))),
		chromedp.SendKeys(fieldOf(label), value))
}

// choose picks option (its value) in the select labelled label, once the select offers it (its
// options may come with data still loading).
func (c *tab) choose(label, value string) {
	c.t.Helper()
	step(c.t, c.ctx, c.name+": choose "+value+" in "+label, chromedp.WaitVisible(fieldOf(label)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf("__pac.set(%s, %s)", js(label), js(value)),
			chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// radio picks the option named option of the radio group labelled group.
func (c *tab) radio(group, option string) {
	c.t.Helper()
	step(c.t, c.ctx, c.name+": pick "+option+" in "+group, chromedp.Click(chromedp.JSPath(
		fmt.Sprintf("(g => g && __pac.get('radio', %s, g))(__pac.field(%s))", js(option), js(group)))))
}

// waitText waits until the page shows text.
func (c *tab) waitText(text string) {
	c.t.Helper()
	step(c.t, c.ctx, c.name+": wait for "+js(text), chromedp.Poll[chromedp.Void](fmt.Sprintf("window.__pac && __pac.text().includes(%s)", js(text)),
		chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// settled waits until no animation runs (a dialog fading in has the contrast of its last frame
// only at the end).
func (c *tab) settled(what string) {
	c.t.Helper()
	step(c.t, c.ctx, what+": wait for the animations", chromedp.Poll[chromedp.Void](
		`document.getAnimations().every(a => a.playState !== 'running')`,
		chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// closed waits until no dialog is open and the page is back.
func (c *tab) closed(what string) {
	c.t.Helper()
	step(c.t, c.ctx, what+": wait for the dialog to close", chromedp.WaitNotPresent(chromedp.CSS("[role=dialog], [role=alertdialog]")))
	c.ready(what)
}

// eval runs an expression in the page and returns its value.
func eval[T any](c *tab, what, expr string) T {
	c.t.Helper()
	return value(c.t, c.ctx, c.name+": "+what, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// check is every page check: axe-core finds nothing, one h1, nothing scrolls sideways on a
// phone, no token in the browser's storage; and screenshots at 1280 and 390 px wide.
func (c *tab) check(page string) {
	c.t.Helper()
	c.ready(page)
	c.settled(page)
	checkPage(c.t, c.ctx, "console's "+page)
	c.noTokensStored(page)
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(c.name+"-"+page))
	step(c.t, c.ctx, "scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	desk := value(c.t, c.ctx, "screenshot of "+page, chromedp.FullScreenshot(100))
	saveArtifact(c.t, "console/"+slug+"-1280.png", desk)
	step(c.t, c.ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	c.ready(page + " on a phone")
	if w := value(c.t, c.ctx, "measure "+page+" on a phone", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		c.t.Errorf("on a 390 px wide phone the console's %s is %d px wide: it scrolls sideways", page, w)
	}
	phone := value(c.t, c.ctx, "phone screenshot of "+page, chromedp.FullScreenshot(100))
	saveArtifact(c.t, "console/"+slug+"-390.png", phone)
	step(c.t, c.ctx, "desktop viewport", chromedp.EmulateViewport(1280, 900))
	c.ready(page)
}

// noTokensStored fails the test if localStorage or sessionStorage holds anything that looks
// like a token (the console keeps the access token in memory and the refresh token is an
// HttpOnly cookie), or if document.cookie shows the refresh cookie.
func (c *tab) noTokensStored(page string) {
	c.t.Helper()
	stored := eval[map[string]string](c, "read the storage on "+page, `(() => {
		const out = {};
		for (const [kind, s] of [['local', localStorage], ['session', sessionStorage]])
			for (let i = 0; i < s.length; i++) out[kind + ':' + s.key(i)] = s.getItem(s.key(i));
		out['document.cookie'] = document.cookie;
		return out;
	})()`)
	for k, v := range stored {
		if k == "document.cookie" && v == "" {
			continue
		}
		if k == "document.cookie" || strings.Contains(v, "eyJ") || len(v) > 40 || strings.Contains(strings.ToLower(k), "token") {
			c.t.Errorf("on the console's %s the browser's storage holds %s = %q: tokens belong in memory and in the HttpOnly cookie only", page, k, v)
		}
	}
}

// refreshCookie is the current pac_refresh cookie of the tab's browser context (as a thief with
// the browser's files would read it).
func (c *tab) refreshCookie() string {
	c.t.Helper()
	cookies := value(c.t, c.ctx, "read the cookies", chromedp.Action[[]*network.Cookie](func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{c.base + "/auth/refresh"}})
		return r.Cookies, err
	}))
	for _, k := range cookies {
		if k.Name == "pac_refresh" {
			if !k.HTTPOnly || k.SameSite != network.CookieSameSiteStrict || k.Path != "/auth/refresh" {
				c.t.Errorf("the refresh cookie: HttpOnly %v, SameSite %q, Path %q; want HttpOnly, Strict, /auth/refresh", k.HTTPOnly, k.SameSite, k.Path)
			}
			return k.Value
		}
	}
	return ""
}
