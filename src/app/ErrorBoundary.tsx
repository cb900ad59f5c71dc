/**
 * Nothing drawn may blank the page: each view and each chart renders inside a boundary that,
 * when its part throws, names what failed and why, and offers a way back (try again, or
 * back to the Lab's default world), while the rest of the page stays.
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** What this part is, in words: "the Lab", "Gen_R+S's calibration chart". */
  what: string;
  children: ReactNode;
  /** A way back besides trying again (a view's: the Lab with its default world). */
  back?: { label: string; onClick: () => void };
  /** A part is drawn small (a chart): the message is shorter. */
  compact?: boolean;
  /** What the part shows (a report): when it changes, the part is drawn again. */
  resetKey?: unknown;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidUpdate(prev: Props): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  componentDidCatch(error: unknown): void {
    console.error(`Bridge Lab: ${this.props.what} failed to draw`, error);
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const { what, back, compact } = this.props;
    return (
      <div className={`notice draw-error${compact ? ' compact' : ''}`} role="alert" data-testid="draw-error">
        <p>
          <strong>{what} could not be drawn:</strong> {error.message || error.name}.{' '}
          {!compact && 'What it was showing is probably missing a field or has one of the wrong kind (an older or hand-edited results file?). The rest of the page still works.'}
        </p>
        <p>
          <button type="button" className="small" onClick={() => this.setState({ error: null })}>Try again</button>{' '}
          {back && <button type="button" className="small" data-testid="draw-error-back" onClick={() => { back.onClick(); this.setState({ error: null }); }}>{back.label}</button>}
        </p>
      </div>
    );
  }
}
