import { NotAvailable } from '../components/ui';

export default function ServiceRequests() {
  return <NotAvailable />;
}
