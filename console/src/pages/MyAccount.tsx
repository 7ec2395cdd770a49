import { NotAvailable } from '../components/ui';

export default function MyAccount() {
  return <NotAvailable />;
}
