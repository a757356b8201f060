// <mklab-header>: the bar at the top of every dashboard page (the brand and the site's
// links), written once here instead of in each page's HTML. Every page module imports
// this file, so the element is defined wherever a page runs.
/* global customElements, HTMLElement */
import { h } from './common.js';

const LINKS = [
  ['/', 'Sweeps'],
  ['/api/docs', 'API'],
];

class SiteHeader extends HTMLElement {
  connectedCallback() {
    this.replaceChildren(
      h('header', { class: 'top' }, h('a', { class: 'brand', href: '/' }, 'mklab'), h('nav', {}, ...LINKS.map(([href, text]) => h('a', { href }, text)))),
    );
  }
}

if (!customElements.get('mklab-header')) customElements.define('mklab-header', SiteHeader);
