// The console's pages: one line each (a lazily loaded module under src/pages/), the nav entry
// and who may see it. Adding a page is adding a line here and its messages.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { matchPath } from 'react-router';
import type { FluentIcon } from '@fluentui/react-icons';
import { HomeRegular } from '@fluentui/react-icons/svg/home';
import { BuildingRegular } from '@fluentui/react-icons/svg/building';
import { PeopleTeamRegular } from '@fluentui/react-icons/svg/people-team';
import { PersonBoardRegular } from '@fluentui/react-icons/svg/person-board';
import { TicketDiagonalRegular } from '@fluentui/react-icons/svg/ticket-diagonal';
import { MailLinkRegular } from '@fluentui/react-icons/svg/mail-link';
import { CartRegular } from '@fluentui/react-icons/svg/cart';
import { ShieldKeyholeRegular } from '@fluentui/react-icons/svg/shield-keyhole';
import { KeyRegular } from '@fluentui/react-icons/svg/key';
import { AlertRegular } from '@fluentui/react-icons/svg/alert';
import { LinkRegular } from '@fluentui/react-icons/svg/link';
import { HistoryRegular } from '@fluentui/react-icons/svg/history';
import type { MessageId } from '../i18n';
import type { Access } from './access';

export interface PageRoute {
  path: string;
  component: LazyExoticComponent<ComponentType>;
  /** Starts loading the page's module (and the chunks it needs) ahead of its first render. */
  preload: () => Promise<unknown>;
  allowed: (a: Access) => boolean;
  nav?: { label: MessageId; icon: FluentIcon; end?: boolean };
}

const always = () => true;

// A page's lazy component and the loader behind it (one module either way: import() is cached).
function page(load: () => Promise<{ default: ComponentType }>) {
  return { component: lazy(load), preload: load };
}

export const pageRoutes: PageRoute[] = [
  { path: '/', ...page(() => import('../pages/Overview')), allowed: always, nav: { label: 'nav.overview', icon: HomeRegular, end: true } },
  { path: '/company', ...page(() => import('../pages/Company')), allowed: always, nav: { label: 'nav.company', icon: BuildingRegular } },
  { path: '/users', ...page(() => import('../pages/Users')), allowed: (a) => a.readUsers, nav: { label: 'nav.users', icon: PeopleTeamRegular } },
  { path: '/customers', ...page(() => import('../pages/Customers')), allowed: (a) => a.customers, nav: { label: 'nav.customers', icon: PersonBoardRegular } },
  { path: '/customers/:customerId/:tab?', ...page(() => import('../pages/Customer')), allowed: (a) => a.customers },
  { path: '/customers/:customerId/service-requests/:requestId', ...page(() => import('../pages/ServiceRequest')), allowed: (a) => a.customers },
  { path: '/service-requests', ...page(() => import('../pages/ServiceRequests')), allowed: (a) => a.customers, nav: { label: 'nav.serviceRequests', icon: TicketDiagonalRegular } },
  { path: '/trial-invitations', ...page(() => import('../pages/TrialInvitations')), allowed: (a) => a.trialInvitations, nav: { label: 'nav.trialInvitations', icon: MailLinkRegular } },
  { path: '/purchase-offers', ...page(() => import('../pages/PurchaseOffers')), allowed: (a) => a.purchaseOffers, nav: { label: 'nav.purchaseOffers', icon: CartRegular } },
  { path: '/delegated-admin-offers', ...page(() => import('../pages/DelegatedAdminOffers')), allowed: (a) => a.delegatedAdminOffers, nav: { label: 'nav.delegatedAdminOffers', icon: ShieldKeyholeRegular } },
  { path: '/product-keys', ...page(() => import('../pages/ProductKeys')), allowed: (a) => a.productKeys, nav: { label: 'nav.productKeys', icon: KeyRegular } },
  { path: '/notifications/:tab?', ...page(() => import('../pages/Notifications')), allowed: (a) => a.notifications, nav: { label: 'nav.notifications', icon: AlertRegular } },
  { path: '/webhooks', ...page(() => import('../pages/Webhooks')), allowed: (a) => a.manageWebhooks, nav: { label: 'nav.webhooks', icon: LinkRegular } },
  { path: '/activity', ...page(() => import('../pages/Activity')), allowed: (a) => a.readActivity, nav: { label: 'nav.activity', icon: HistoryRegular } },
  { path: '/account', ...page(() => import('../pages/MyAccount')), allowed: always },
];

/**
 * Starts loading the page at pathname (below the console's base) at once: on a reload or a deep
 * link its chunks then arrive while the session is being restored, not one round trip after it.
 */
export function preloadPage(pathname: string) {
  const route = pageRoutes.find((r) => matchPath({ path: r.path, end: true }, pathname));
  void route?.preload().catch(() => undefined); // a failure shows when the page renders
}
