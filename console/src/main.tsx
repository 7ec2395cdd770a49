import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { I18nProvider } from './i18n';
import { SessionProvider } from './app/session';
import { App } from './app/App';
import './index.css';
import { tameTabsterBumpers } from './tabsterBumpers';
import { preloadSignedIn } from './app/preload';

tameTabsterBumpers();

const basename = '/console';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <FluentProvider theme={webLightTheme}>
        <BrowserRouter basename={basename}>
          <SessionProvider whileRestoring={() => preloadSignedIn(location.pathname.slice(basename.length) || '/')}>
            <App />
          </SessionProvider>
        </BrowserRouter>
      </FluentProvider>
    </I18nProvider>
  </StrictMode>,
);
