import { LinksPage } from '../components/LinksPage';

export default function PurchaseOffers() {
  return <LinksPage kind="offer" />;
}
