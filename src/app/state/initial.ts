/** What the address asked for when the page opened (url.ts parses and checks it): each slice starts from it. */
import { parseUrl } from '../url';

export const initial = parseUrl(typeof location === 'undefined' ? '' : location.search);
