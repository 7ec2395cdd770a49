import { NotAvailable } from '../components/ui';

export default function TrialInvitations() {
  return <NotAvailable />;
}
