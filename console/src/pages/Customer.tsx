import { NotAvailable } from '../components/ui';

export default function Customer() {
  return <NotAvailable />;
}
