import { NotAvailable } from '../components/ui';

export default function PurchaseOffers() {
  return <NotAvailable />;
}
