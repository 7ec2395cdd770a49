import { NotAvailable } from '../components/ui';

export default function ServiceRequest() {
  return <NotAvailable />;
}
