'use strict';
// The admin's navigation sidebar starts closed (Django opens it unless told otherwise): at 1280 px its 300 px
// would push the change lists' columns off the right edge. Its « button still opens it, and Django remembers
// the choice. Loaded before Django's deferred nav_sidebar.js, which reads the same key.
if (window.localStorage && localStorage.getItem('django.admin.navSidebarIsOpen') === null) {
    localStorage.setItem('django.admin.navSidebarIsOpen', 'false');
}
