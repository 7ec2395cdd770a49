import { NotAvailable } from '../components/ui';

export default function ProductKeys() {
  return <NotAvailable />;
}
