import { Link } from 'react-router';
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { PageHeader } from '../components/ui';
import { useT } from '../i18n';

export default function NotFound() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <MessageBar intent="info">
        <MessageBarBody>
          {t('notFound.body')} <Link to="/">{t('notFound.home')}</Link>
        </MessageBarBody>
      </MessageBar>
    </>
  );
}
