import { NotAvailable } from '../components/ui';

export default function Notifications() {
  return <NotAvailable />;
}
