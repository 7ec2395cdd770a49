// Shapes of docs/openapi.yaml and the session contract (sessions, two-factor) the console uses.

export type Cloud = 'global' | '21vianet';
export type Authorization = 'delegated_admin' | 'subscription_advisor' | 'service_provider';
export type CompanyRole = 'none' | 'global_admin' | 'user_admin' | 'billing_admin' | 'password_admin' | 'service_admin';
export const companyRoles: CompanyRole[] = ['global_admin', 'user_admin', 'billing_admin', 'password_admin', 'service_admin'];
export type CustomerAccess = 'none' | 'full' | 'limited';
export type Feature =
  | 'company_profile'
  | 'own_users'
  | 'manage_customers'
  | 'trial_invitations'
  | 'purchase_offers'
  | 'delegated_admin_in_offers'
  | 'delegated_admin_offers'
  | 'product_keys'
  | 'partner_of_record';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  passwordChangeRequired: boolean;
  mfaEnrolmentRequired?: boolean;
}
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}
export type SignInResponse = TokenResponse | MfaChallenge;

export interface Me {
  userId: string;
  orgId: string;
  orgKind: 'partner' | 'customer';
  email: string;
  displayName: string;
  companyRole: CompanyRole;
  customerAccess: CustomerAccess;
  status: 'active';
  passwordChangeRequired: boolean;
  mfaEnabled?: boolean;
  mfaRequired?: boolean;
}

export interface FeatureState {
  feature: Feature;
  enabled: boolean;
  requires: Authorization[];
}
export interface Overview {
  partnerId: string;
  name: string;
  cloud: Cloud;
  authorizations: Authorization[];
  features: FeatureState[];
  customerCount: number;
  customerView: 'list' | 'search';
}

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode?: string;
  country: string;
}
export interface Company {
  partnerId: string;
  name: string;
  phone: string;
  email: string;
  website: string;
  address: Address | null;
  cloud: Cloud;
  version: number;
  updatedAt: string;
}

export interface User {
  userId: string;
  email: string;
  displayName: string;
  companyRole: CompanyRole;
  customerAccess: CustomerAccess;
  status: 'active';
  mfaEnabled?: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}
export interface CreatedUser {
  user: User;
  temporaryPassword?: string;
}

/** POST /users/{userId}/password-reset: the temporary password, shown once. */
export interface UserPasswordReset {
  user: User;
  temporaryPassword: string;
}

export interface Activity {
  id: string;
  at: string;
  actor: { type: 'user' | 'operator' | 'system'; id: string; email?: string };
  action: string;
  target: { type: string; id: string };
  customerId?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface Product {
  id: string;
  name: string;
  trialAvailable: boolean;
  trialDays?: number;
  trialLicenseCap?: number;
  minLicenses: number;
  maxLicenses: number;
}
export interface SupportTopic {
  id: string;
  name: string;
}
export interface Catalog {
  cloud: Cloud;
  products: Product[];
  supportTopics: SupportTopic[];
}

export type LinkKind = 'trial' | 'offer' | 'delegated-admin';
export type LinkState = 'active' | 'expired' | 'used_up' | 'revoked';
export type DelegatedAdminScope = 'full' | 'limited';
export interface DelegatedAdminOffer {
  scope: DelegatedAdminScope;
  durationDays: number;
  autoExtend: boolean;
}
export interface OfferLine {
  productId: string;
  licenses: number;
}
export interface LinkUse {
  customerId: string;
  customerName: string;
  at: string;
  delegatedAdmin?: 'accepted' | 'declined';
}
export interface Link {
  linkId: string;
  kind: LinkKind;
  url: string;
  state: LinkState;
  productId?: string;
  lines?: OfferLine[];
  delegatedAdmin?: DelegatedAdminOffer;
  targetCustomerId?: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  lastUsedAt: string | null;
  emailsSent: number;
  usedBy?: LinkUse[];
  version: number;
  createdAt: string;
}

export interface DelegatedAdmin {
  scope: DelegatedAdminScope;
  startsAt: string;
  endsAt: string;
  autoExtend: boolean;
  status: 'active' | 'ended' | 'expired';
  endedAt?: string;
}
export type RelationshipState = 'active' | 'ended' | 'expired' | 'none';
export interface Relationship {
  since: string;
  state: RelationshipState;
  delegatedAdmin: DelegatedAdmin | null;
}
export type SubscriptionStatus = 'trial' | 'active' | 'suspended' | 'cancelled' | 'expired';
export interface Customer {
  customerId: string;
  name: string;
  domainPrefix: string;
  country: string;
  cloud: Cloud;
  createdAt: string;
  relationship: Relationship;
  access: 'limited' | 'full';
  subscriptions?: { byStatus: Partial<Record<SubscriptionStatus, number>>; totalLicenses: number };
  counts?: { subscriptions: number; users: number; openServiceRequests: number };
}
export interface CustomerRow {
  customerId: string;
  name: string;
  domainPrefix: string;
  country: string;
  relationship: Relationship;
  subscriptionCount: number;
}

export interface Subscription {
  subscriptionId: string;
  productId: string;
  productName: string;
  licenses: number;
  status: SubscriptionStatus;
  trialEndsAt?: string;
  partnerOfRecord: string;
  porHistory: { partnerId: string; from: string; to?: string }[];
  createdAt: string;
  purchasedAt?: string;
  version: number;
}

export type CustomerRole = 'admin' | 'user';
export interface CustomerUser {
  userId: string;
  email: string;
  displayName: string;
  role: CustomerRole;
  status: 'active';
  passwordChangeRequired: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}
export interface CreatedCustomerUser {
  user: CustomerUser;
  temporaryPassword?: string;
}
export interface PasswordReset {
  user: CustomerUser;
  temporaryPassword: string;
  emailedTo?: string;
}

export type ServiceRequestStatus = 'draft' | 'open' | 'attention_needed' | 'closed';
export type Severity = 'minimal' | 'moderate' | 'critical';
export interface ServiceRequestContact {
  name: string;
  email: string;
  phone?: string;
}
export interface ServiceRequestNote {
  noteId: string;
  at: string;
  side: 'partner' | 'support';
  author: { type: 'user' | 'support'; userId?: string; email?: string };
  text: string;
  needsPartner: boolean;
}
export interface ServiceRequestSummary {
  requestId: string;
  customerId: string;
  customerName: string;
  customerDomain: string;
  partnerId: string;
  partnerName: string;
  cloud: Cloud;
  title: string;
  severity: Severity;
  topic: string;
  topicName: string;
  status: ServiceRequestStatus;
  noteCount: number;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  sentAt: string | null;
  closedAt: string | null;
  reopenableUntil: string | null;
  version: number;
}
export interface ServiceRequest extends ServiceRequestSummary {
  description: string;
  contact: ServiceRequestContact;
  cc: string[];
  createdBy: string;
  notes?: ServiceRequestNote[];
}

export const eventKinds = [
  'subscription.created',
  'subscription.licenses_changed',
  'subscription.suspended',
  'subscription.reactivated',
  'subscription.cancelled',
  'subscription.trial_converted',
  'subscription.trial_expired',
  'subscription.partner_of_record_changed',
] as const;
export type EventKind = (typeof eventKinds)[number];
export interface EventSubscription {
  subscriptionId: string;
  productId: string;
  productName: string;
  licenses: number;
  status: SubscriptionStatus;
  trialEndsAt?: string;
  partnerOfRecord: string;
}
export interface Notification {
  notificationId: string;
  kind: EventKind;
  at: string;
  read: boolean;
  readAt?: string;
  customerId: string;
  customerName: string;
  subscription: EventSubscription;
  before?: EventSubscription;
}
export interface NotificationPage extends Page<Notification> {
  unreadCount: number;
}
export interface NotificationSettings {
  email: boolean;
  kinds: EventKind[];
  default: boolean;
  version: number;
}

export interface Webhook {
  webhookId: string;
  url: string;
  description: string;
  status: 'active' | 'disabled';
  failingSince: string | null;
  disabledAt: string | null;
  createdAt: string;
  secret?: string;
}
export interface WebhookAttempt {
  attemptId: string;
  eventId: string;
  type: string;
  attempt: number;
  at: string;
  durationMs: number;
  statusCode: number | null;
  error?: string;
  outcome: 'delivered' | 'retrying' | 'failed';
}

export type ProductKeyState = 'available' | 'redeemed' | 'expired' | 'revoked';
export interface ProductKey {
  keyId: string;
  productId: string;
  productName: string;
  licenses: number;
  state: ProductKeyState;
  lastGroup: string;
  expiresAt: string | null;
  createdAt: string;
  revokedAt?: string;
  redeemedAt?: string;
  customerId?: string;
  customerName?: string;
  subscriptionId?: string;
}
export interface Redeemed {
  productKey: ProductKey;
  customer: { customerId: string; name: string; domainPrefix: string; new: boolean };
  subscription: Subscription;
  delegatedAdminOffer?: { linkId: string; url: string; expiresAt: string };
}

export interface Session {
  sessionId: string;
  createdAt: string;
  lastUsedAt: string;
  idleExpiresAt: string;
  expiresAt: string;
  userAgent: string;
  current: boolean;
}
export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}
export interface RecoveryCodes {
  recoveryCodes: string[];
}
