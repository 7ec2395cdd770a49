import { LinksPage } from '../components/LinksPage';

export default function TrialInvitations() {
  return <LinksPage kind="trial" />;
}
