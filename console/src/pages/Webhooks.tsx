import { NotAvailable } from '../components/ui';

export default function Webhooks() {
  return <NotAvailable />;
}
