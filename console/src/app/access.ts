import type { Feature, Me, Overview } from '../api/types';
import { useCaller } from './session';

/**
 * What the caller may see and do: the partner's features (GET /overview, from its
 * authorizations and cloud) combined with the user's company role and customer access (GET /me),
 * as docs/openapi.yaml states per route. The API refuses the rest anyway.
 */
export interface Access {
  cloud: Overview['cloud'];
  isGlobalAdmin: boolean;
  editCompany: boolean;
  readUsers: boolean;
  manageUsers: boolean;
  /** Resets other users' passwords (by rank: see mayResetPassword). */
  resetPasswords: boolean;
  readActivity: boolean;
  manageWebhooks: boolean;
  customers: boolean;
  trialInvitations: boolean;
  purchaseOffers: boolean;
  delegatedAdminOffers: boolean;
  delegatedAdminInOffers: boolean;
  productKeys: boolean;
  redeemProductKeys: boolean;
  notifications: boolean;
}

export function computeAccess(me: Me, overview: Overview): Access {
  const has = (f: Feature) => overview.features.some((x) => x.feature === f && x.enabled);
  const role = me.companyRole;
  const anyCustomerAccess = me.customerAccess === 'limited' || me.customerAccess === 'full';
  const full = me.customerAccess === 'full';
  const ga = role === 'global_admin';
  return {
    cloud: overview.cloud,
    isGlobalAdmin: ga,
    editCompany: ga,
    readUsers: role !== 'none',
    manageUsers: ga || role === 'user_admin',
    resetPasswords: ga || role === 'user_admin' || role === 'password_admin',
    readActivity: ga || role === 'user_admin',
    manageWebhooks: ga,
    customers: has('manage_customers') && anyCustomerAccess,
    trialInvitations: has('trial_invitations') && anyCustomerAccess,
    purchaseOffers: has('purchase_offers') && anyCustomerAccess,
    delegatedAdminOffers: has('delegated_admin_offers') && full,
    delegatedAdminInOffers: has('delegated_admin_in_offers') && full,
    productKeys: has('product_keys') && (ga || anyCustomerAccess),
    redeemProductKeys: has('product_keys') && (ga || full),
    notifications: true,
  };
}

export function useAccess(): Access {
  const { me, overview } = useCaller();
  return computeAccess(me, overview);
}

/**
 * Whether the caller may reset target's password (POST /users/{userId}/password-reset): never
 * their own (that is POST /me/password); only a global admin resets a global admin's; a password
 * admin only users without admin rights (no company role but password admin, no full customer
 * access). The API enforces the same ranks.
 */
export function mayResetPassword(me: Me, target: { userId: string; companyRole: Me['companyRole']; customerAccess: Me['customerAccess'] }): boolean {
  if (target.userId === me.userId) return false;
  switch (me.companyRole) {
    case 'global_admin':
      return true;
    case 'user_admin':
      return target.companyRole !== 'global_admin';
    case 'password_admin':
      return (target.companyRole === 'none' || target.companyRole === 'password_admin') && target.customerAccess !== 'full';
    default:
      return false;
  }
}
