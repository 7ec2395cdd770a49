import { NotAvailable } from '../components/ui';

export default function Activity() {
  return <NotAvailable />;
}
