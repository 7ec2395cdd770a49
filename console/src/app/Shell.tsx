import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import {
  Button,
  CounterBadge,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Menu,
  MenuItem,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  OverlayDrawer,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { NavigationRegular } from '@fluentui/react-icons/svg/navigation';
import { AlertRegular } from '@fluentui/react-icons/svg/alert';
import { GlobeRegular } from '@fluentui/react-icons/svg/globe';
import { PersonRegular } from '@fluentui/react-icons/svg/person';
import { DismissRegular } from '@fluentui/react-icons/svg/dismiss';
import { api } from '../api/client';
import type { NotificationPage } from '../api/types';
import { useLocale, useT, type Locale } from '../i18n';
import { useAccess } from './access';
import { pageRoutes } from './routes';
import { useCaller, useSession } from './session';

const useStyles = makeStyles({
  root: { minHeight: '100vh', display: 'flex', flexDirection: 'column', backgroundColor: tokens.colorNeutralBackground2 },
  skip: {
    position: 'absolute',
    left: '-10000px',
    top: 'auto',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    ':focus': {
      position: 'fixed',
      left: tokens.spacingHorizontalM,
      top: tokens.spacingVerticalM,
      width: 'auto',
      height: 'auto',
      zIndex: 1000,
      padding: tokens.spacingVerticalS,
      backgroundColor: tokens.colorNeutralBackground1,
      color: tokens.colorBrandForeground1,
      outline: `2px solid ${tokens.colorStrokeFocus2}`,
    },
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    height: '48px',
    paddingInline: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    position: 'sticky',
    top: 0,
    zIndex: 10,
  },
  brand: {
    color: tokens.colorNeutralForegroundOnBrand,
    textDecoration: 'none',
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase400,
    whiteSpace: 'nowrap',
    ':focus-visible': { outline: `2px solid ${tokens.colorNeutralForegroundOnBrand}`, outlineOffset: '2px' },
  },
  partner: {
    color: tokens.colorNeutralForegroundOnBrand,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    '@media (max-width: 599px)': { display: 'none' },
  },
  sep: { opacity: 0.7, '@media (max-width: 599px)': { display: 'none' } },
  spacer: { flexGrow: 1 },
  headerButton: {
    color: tokens.colorNeutralForegroundOnBrand,
    minWidth: '40px',
    ':hover': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundHover },
    ':hover:active': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundPressed },
    ':focus-visible': { outline: `2px solid ${tokens.colorNeutralForegroundOnBrand}` },
  },
  menuButton: { '@media (min-width: 900px)': { display: 'none' } },
  bell: {
    position: 'relative',
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    width: '40px',
    height: '32px',
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForegroundOnBrand,
    ':hover': { backgroundColor: tokens.colorBrandBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorNeutralForegroundOnBrand}` },
  },
  bellIcon: { fontSize: '20px' },
  badge: { position: 'absolute', top: '2px', right: '0px' },
  srOnly: { position: 'absolute', width: '1px', height: '1px', margin: '-1px', padding: 0, overflow: 'hidden', clip: 'rect(0, 0, 0, 0)', whiteSpace: 'nowrap', border: 0 },
  body: { display: 'flex', flexGrow: 1, minHeight: 0 },
  sidebar: {
    width: '264px',
    flexShrink: 0,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    paddingTop: tokens.spacingVerticalM,
    '@media (max-width: 899px)': { display: 'none' },
  },
  navList: { listStyle: 'none', margin: 0, padding: 0 },
  navLink: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    borderLeft: '3px solid transparent',
    fontSize: tokens.fontSizeBase300,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  navActive: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1Selected,
    fontWeight: tokens.fontWeightSemibold,
  },
  navIcon: { fontSize: '20px', flexShrink: 0 },
  main: {
    flexGrow: 1,
    minWidth: 0,
    padding: tokens.spacingHorizontalXXL,
    ':focus': { outline: 'none' },
    '@media (max-width: 599px)': { padding: tokens.spacingHorizontalM },
  },
});

// --- unread notifications, shared by the bell and the notifications page ---

interface ShellContextValue {
  unread: number | null;
  setUnread: (n: number) => void;
  refreshUnread: () => void;
}
const ShellContext = createContext<ShellContextValue>({ unread: null, setUnread: () => {}, refreshUnread: () => {} });
export function useUnread() {
  return useContext(ShellContext);
}

function useUnreadPolling(): ShellContextValue {
  const [unread, setUnread] = useState<number | null>(null);
  const busy = useRef(false);
  // The interval's polls are background requests: they never refresh the session, so an open tab
  // nobody uses goes idle. The window getting the focus back is a person returning: that read may
  // refresh.
  const refreshUnread = useCallback((background = false) => {
    if (busy.current || document.visibilityState === 'hidden') return;
    busy.current = true;
    api.get<NotificationPage>('/notifications', { query: { limit: 1 }, background }).then(
      (p) => {
        setUnread(p.unreadCount);
        busy.current = false;
      },
      () => {
        busy.current = false;
      },
    );
  }, []);
  useEffect(() => {
    refreshUnread();
    const id = setInterval(() => refreshUnread(true), 60_000);
    const onFocus = () => refreshUnread();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      clearInterval(id);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [refreshUnread]);
  return { unread, setUnread, refreshUnread };
}

function NavItems({ onNavigate }: { onNavigate?: () => void }) {
  const s = useStyles();
  const t = useT();
  const access = useAccess();
  return (
    <ul className={s.navList}>
      {pageRoutes
        .filter((r) => r.nav && r.allowed(access))
        .map((r) => {
          const Icon = r.nav!.icon;
          return (
            <li key={r.path}>
              <NavLink
                to={r.path.replace('/:tab?', '')}
                end={r.nav!.end}
                className={({ isActive }) => mergeClasses(s.navLink, isActive && s.navActive)}
                onClick={onNavigate}
              >
                <Icon className={s.navIcon} aria-hidden />
                {t(r.nav!.label)}
              </NavLink>
            </li>
          );
        })}
    </ul>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const s = useStyles();
  const t = useT();
  const { me, overview } = useCaller();
  const { signOut } = useSession();
  const { locale, setLocale } = useLocale();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const shell = useUnreadPolling();
  const location = useLocation();
  const navigate = useNavigate();
  const mainRef = useRef<HTMLElement>(null);

  // After a navigation, move focus to the page (screen readers announce the new page's title).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [location.pathname]);

  const unreadLabel =
    shell.unread === null ? t('shell.notifications') : t('shell.notificationsUnread', { count: shell.unread });

  return (
    <ShellContext.Provider value={shell}>
      <div className={s.root}>
        <a href="#main" className={s.skip}>
          {t('shell.skipToMain')}
        </a>
        <header className={s.header}>
          <Tooltip content={t('shell.openNavigation')} relationship="label">
            <Button
              appearance="transparent"
              className={mergeClasses(s.headerButton, s.menuButton)}
              icon={<NavigationRegular />}
              onClick={() => setDrawerOpen(true)}
              aria-expanded={drawerOpen}
            />
          </Tooltip>
          <Link to="/" className={s.brand}>
            {t('app.name')}
          </Link>
          <span className={s.sep} aria-hidden>
            |
          </span>
          <span className={s.partner}>{overview.name}</span>
          <span className={s.spacer} />
          {/* The name is text (hidden but read), not aria-label: the badge's visible "99+" is then
              not a label that contradicts what is shown (WCAG 2.5.3, axe label-content-name-mismatch). */}
          <Link to="/notifications" className={s.bell} title={unreadLabel}>
            <span className={s.srOnly}>{unreadLabel}</span>
            <AlertRegular className={s.bellIcon} aria-hidden />
            {!!shell.unread && (
              <CounterBadge className={s.badge} count={shell.unread} overflowCount={99} size="small" color="danger" aria-hidden />
            )}
          </Link>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Tooltip content={t('shell.language')} relationship="label">
                <Button appearance="transparent" className={s.headerButton} icon={<GlobeRegular />} />
              </Tooltip>
            </MenuTrigger>
            <MenuPopover>
              <MenuList checkedValues={{ lang: [locale] }} onCheckedValueChange={(_, d) => setLocale(d.checkedItems[0] as Locale)}>
                <MenuItemRadio name="lang" value="en" lang="en">
                  English
                </MenuItemRadio>
                <MenuItemRadio name="lang" value="de" lang="de">
                  Deutsch
                </MenuItemRadio>
              </MenuList>
            </MenuPopover>
          </Menu>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Tooltip content={t('shell.userMenu', { name: me.displayName })} relationship="label">
                <Button appearance="transparent" className={s.headerButton} icon={<PersonRegular />} />
              </Tooltip>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuGroup>
                  <MenuGroupHeader>{me.email}</MenuGroupHeader>
                  <MenuItem onClick={() => void navigate('/account')}>{t('shell.myAccount')}</MenuItem>
                </MenuGroup>
                <MenuDivider />
                <MenuItem onClick={() => void signOut()}>{t('shell.signOut')}</MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </header>
        <OverlayDrawer open={drawerOpen} onOpenChange={(_, d) => setDrawerOpen(d.open)} position="start">
          <DrawerHeader>
            <DrawerHeaderTitle
              action={
                <Button
                  appearance="subtle"
                  aria-label={t('common.close')}
                  icon={<DismissRegular />}
                  onClick={() => setDrawerOpen(false)}
                />
              }
            >
              {t('app.name')}
            </DrawerHeaderTitle>
          </DrawerHeader>
          <DrawerBody>
            <nav aria-label={t('shell.navigation')}>
              <NavItems onNavigate={() => setDrawerOpen(false)} />
            </nav>
          </DrawerBody>
        </OverlayDrawer>
        <div className={s.body}>
          <nav className={s.sidebar} aria-label={t('shell.navigation')}>
            <NavItems />
          </nav>
          <main id="main" className={s.main} ref={mainRef} tabIndex={-1}>
            {children}
          </main>
        </div>
      </div>
    </ShellContext.Provider>
  );
}
