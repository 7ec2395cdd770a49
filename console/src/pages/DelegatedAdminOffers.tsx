import { NotAvailable } from '../components/ui';

export default function DelegatedAdminOffers() {
  return <NotAvailable />;
}
