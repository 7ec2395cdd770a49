import { NotAvailable } from '../components/ui';

export default function Users() {
  return <NotAvailable />;
}
