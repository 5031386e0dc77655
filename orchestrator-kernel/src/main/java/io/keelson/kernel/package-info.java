/** Declarative resources, informers, controllers and simulated nodes (a later issue). */
package io.keelson.kernel;
