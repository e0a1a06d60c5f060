/** All of BIRD 2: the include-file renderer, the control-socket client and its replies, the applier and the export query. */
package io.rhid.agent.router.bird;
