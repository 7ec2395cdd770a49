import { LinksPage } from '../components/LinksPage';

export default function DelegatedAdminOffers() {
  return <LinksPage kind="delegated-admin" />;
}
