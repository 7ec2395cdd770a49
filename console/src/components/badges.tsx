import { Badge } from '@fluentui/react-components';
import type { LinkState, ProductKeyState, Relationship, ServiceRequestStatus, Severity, SubscriptionStatus } from '../api/types';
import { useT, type MessageId } from '../i18n';

type Color = 'brand' | 'danger' | 'important' | 'informative' | 'severe' | 'subtle' | 'success' | 'warning';

const EXPIRING_MS = 30 * 24 * 3600 * 1000;

export function relationshipKey(r: Relationship): 'active' | 'expiring' | 'ended' | 'expired' | 'none' {
  if (r.state === 'active' && r.delegatedAdmin && new Date(r.delegatedAdmin.endsAt).getTime() - Date.now() < EXPIRING_MS) {
    return 'expiring';
  }
  return r.state;
}

const relColors: Record<string, Color> = { active: 'success', expiring: 'warning', ended: 'informative', expired: 'informative', none: 'subtle' };

export function RelationshipBadge({ relationship }: { relationship: Relationship }) {
  const t = useT();
  const k = relationshipKey(relationship);
  const scope = relationship.delegatedAdmin?.scope;
  return (
    <Badge appearance="tint" color={relColors[k]} shape="rounded">
      {t(`relationship.${k}` as MessageId)}
      {scope && (k === 'active' || k === 'expiring') ? ` · ${t(`scope.${scope}` as MessageId)}` : ''}
    </Badge>
  );
}

const subColors: Record<SubscriptionStatus, Color> = { trial: 'brand', active: 'success', suspended: 'warning', cancelled: 'subtle', expired: 'subtle' };
export function SubscriptionBadge({ status }: { status: SubscriptionStatus }) {
  const t = useT();
  return (
    <Badge appearance="tint" color={subColors[status]} shape="rounded">
      {t(`subscription.status.${status}` as MessageId)}
    </Badge>
  );
}

const linkColors: Record<LinkState, Color> = { active: 'success', expired: 'subtle', used_up: 'informative', revoked: 'danger' };
export function LinkStateBadge({ state }: { state: LinkState }) {
  const t = useT();
  return (
    <Badge appearance="tint" color={linkColors[state]} shape="rounded">
      {t(`link.state.${state}` as MessageId)}
    </Badge>
  );
}

const srColors: Record<ServiceRequestStatus, Color> = { draft: 'subtle', open: 'brand', attention_needed: 'warning', closed: 'informative' };
export function RequestStatusBadge({ status }: { status: ServiceRequestStatus }) {
  const t = useT();
  return (
    <Badge appearance="tint" color={srColors[status]} shape="rounded">
      {t(`sr.status.${status}` as MessageId)}
    </Badge>
  );
}

const sevColors: Record<Severity, Color> = { minimal: 'informative', moderate: 'warning', critical: 'danger' };
export function SeverityBadge({ severity }: { severity: Severity }) {
  const t = useT();
  return (
    <Badge appearance="outline" color={sevColors[severity]} shape="rounded">
      {t(`sr.severity.${severity}` as MessageId)}
    </Badge>
  );
}

const keyColors: Record<ProductKeyState, Color> = { available: 'success', redeemed: 'informative', expired: 'subtle', revoked: 'danger' };
export function KeyStateBadge({ state }: { state: ProductKeyState }) {
  const t = useT();
  return (
    <Badge appearance="tint" color={keyColors[state]} shape="rounded">
      {t(`productKey.state.${state}` as MessageId)}
    </Badge>
  );
}
