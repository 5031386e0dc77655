/** The apiserver-style List+Watch cache over the store (see the watch-cache issue). */
package io.keelson.watch;
