/*
 * fwkit_tftp_serve in a build with FWKIT_DISABLE_TFTP (the router build can leave the server
 * out): server.c and session.c are not compiled, and `fwkit serve` says why it cannot serve.
 */
#include "core/internal.h"
#include "fwkit/tftp.h"

#ifdef FWKIT_DISABLE_TFTP
enum fwkit_status fwkit_tftp_serve(struct fwkit_ctx *ctx, const struct fwkit_tftp_server_config *cfg,
				   volatile sig_atomic_t *stop)
{
	(void)cfg;
	(void)stop;
	return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, "a build with the TFTP server", "FWKIT_DISABLE_TFTP",
			   "serve: this fwkit was built without its TFTP server");
}
#endif
