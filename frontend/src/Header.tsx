// The top bar: where you are, where you can go, who you are. Logout is a POST with Django's CSRF token.
import { api, csrfToken } from "./api";
import { Link, type Route } from "./router";
import { useAsync } from "./useAsync";

export function Header({ route }: { route: Route }) {
  const me = useAsync(api.me, []);
  return (
    <header className="app-header">
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        Deep Playground
      </Link>
      <nav className="app-nav">
        <Link to="/" className={route.page === "editor" ? "active" : undefined} data-testid="nav-editor">
          Editor
        </Link>
        <Link to="/runs" className={route.page === "runs" || route.page === "run" ? "active" : undefined} data-testid="nav-runs">
          Runs
        </Link>
      </nav>
      <div className="app-user">
        {me.data && (
          <span className="username" data-testid="username" title={me.data.is_staff ? "staff" : undefined}>
            {me.data.username}
          </span>
        )}
        <form
          method="post"
          action="/accounts/logout/"
          className="logout-form"
          onSubmit={(e) => {
            // the token rotates at login: read it when the form is sent, not when the header was drawn
            const field = e.currentTarget.elements.namedItem("csrfmiddlewaretoken");
            if (field instanceof HTMLInputElement) field.value = csrfToken();
          }}
        >
          <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken()} />
          <button type="submit" className="link-button" data-testid="logout-button">
            Log out
          </button>
        </form>
      </div>
    </header>
  );
}
