import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Badge, Button, Field, SearchBox, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useAccess } from '../app/access';
import { pageRoutes } from '../app/routes';
import { useCaller } from '../app/session';
import { CustomerTable } from '../components/CustomerTable';
import { DescriptionList, Section, useLayoutStyles } from '../components/layout';
import { PageHeader } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

const useStyles = makeStyles({
  tiles: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: tokens.spacingHorizontalM, listStyle: 'none', margin: 0, padding: 0 },
  tile: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'flex-start',
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    height: '100%',
    boxSizing: 'border-box',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover, border: `1px solid ${tokens.colorBrandStroke2}` },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  tileIcon: { fontSize: '24px', color: tokens.colorBrandForeground1, flexShrink: 0 },
  tileTitle: { fontWeight: tokens.fontWeightSemibold, display: 'block' },
  tileText: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  search: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', marginBottom: tokens.spacingVerticalM },
});

const linkPaths = ['/customers', '/service-requests', '/trial-invitations', '/purchase-offers', '/delegated-admin-offers', '/product-keys', '/users', '/notifications/:tab?', '/activity'];

export default function Overview() {
  const t = useT();
  const s = useStyles();
  const l = useLayoutStyles();
  const f = useFormat();
  const { overview } = useCaller();
  const access = useAccess();
  const navigate = useNavigate();
  const [q, setQ] = useState('');

  const links = pageRoutes.filter((r) => linkPaths.includes(r.path) && r.nav && r.allowed(access));
  const search = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) void navigate(`/customers?q=${encodeURIComponent(q.trim())}`);
  };

  return (
    <>
      <PageHeader title={t('overview.title')} description={t('overview.cloud', { cloud: overview.cloud })} />
      <Section title={t('overview.company')} id="ov-company">
        <DescriptionList
          items={[
            [t('overview.companyName'), <Link key="n" to="/company">{overview.name}</Link>],
            [t('overview.cloudLabel'), t('cloud.name', { cloud: overview.cloud })],
            [
              t('overview.authorizations'),
              overview.authorizations.length ? (
                <span className={s.badges}>
                  {overview.authorizations.map((a) => (
                    <Badge key={a} appearance="tint" color="brand" shape="rounded">
                      {t(`authorization.${a}` as MessageId)}
                    </Badge>
                  ))}
                </span>
              ) : (
                t('overview.noAuthorizations')
              ),
            ],
            [t('overview.customerCount'), f.number(overview.customerCount)],
          ]}
        />
      </Section>
      {links.length > 0 && (
        <Section title={t('overview.whatYouCanDo')} id="ov-links">
          <ul className={s.tiles}>
            {links.map((r) => {
              const Icon = r.nav!.icon;
              const key = r.nav!.label.replace('nav.', '');
              return (
                <li key={r.path}>
                  <Link className={s.tile} to={r.path.replace('/:tab?', '')}>
                    <Icon className={s.tileIcon} aria-hidden />
                    <span>
                      <span className={s.tileTitle}>{t(r.nav!.label)}</span>
                      <span className={s.tileText}>{t(`overview.link.${key}` as MessageId, { cloud: overview.cloud })}</span>
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </Section>
      )}
      {access.customers && (
        <Section title={t('overview.customersTitle', { count: overview.customerCount })} id="ov-customers">
          {overview.customerView === 'search' ? (
            <>
              <Text block className={l.muted}>
                {t('overview.searchFirst', { count: overview.customerCount })}
              </Text>
              <form className={s.search} onSubmit={search} role="search">
                <Field label={t('customers.searchLabel')}>
                  <SearchBox value={q} onChange={(_, d) => setQ(d.value)} placeholder={t('customers.searchPlaceholder')} />
                </Field>
                <Button type="submit" appearance="primary" disabled={!q.trim()}>
                  {t('common.search')}
                </Button>
                <Link to="/customers?all=1">{t('customers.browseAll')}</Link>
              </form>
            </>
          ) : (
            <CustomerTable cloud={overview.cloud} limit={100} />
          )}
        </Section>
      )}
    </>
  );
}
