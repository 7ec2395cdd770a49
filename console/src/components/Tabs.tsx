import { NavLink } from 'react-router';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  list: {
    display: 'flex',
    gap: tokens.spacingHorizontalXS,
    listStyle: 'none',
    margin: `0 0 ${tokens.spacingVerticalL}`,
    padding: 0,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    overflowX: 'auto',
  },
  link: {
    display: 'block',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    color: tokens.colorNeutralForeground2,
    textDecoration: 'none',
    whiteSpace: 'nowrap',
    borderBottom: '3px solid transparent',
    ':hover': { color: tokens.colorNeutralForeground1 },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  active: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold, borderBottom: `3px solid ${tokens.colorBrandStroke1}` },
});

/** Sections of a page as links (each its own URL, so deep links and reload work). */
export function LinkTabs({ label, tabs }: { label: string; tabs: { to: string; label: string }[] }) {
  const s = useStyles();
  return (
    <nav aria-label={label}>
      <ul className={s.list}>
        {tabs.map((t) => (
          <li key={t.to}>
            <NavLink to={t.to} end className={({ isActive }) => mergeClasses(s.link, isActive && s.active)}>
              {t.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
