using System;
using System.Runtime.InteropServices;

namespace Teleradyoloji
{
    // A trl_client. The runtime closes it exactly once, after the last call using it has
    // returned (P/Invoke adds a reference for the duration of each call), also from the
    // finalizer thread when a client is never disposed.
    internal sealed class TeleradyolojiSafeHandle : SafeHandle
    {
        // Used by the marshaller for trl_client_new's out-parameter.
        private TeleradyolojiSafeHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            // TRL_E_BAD_HANDLE means the library no longer knows it: nothing left to free.
            // TRL_E_FORKED: a forked child's copy of the parent's client, nothing of it to free.
            int status = NativeMethods.trl_client_close(handle);
            return status == (int)TeleradyolojiStatus.Ok || status == (int)TeleradyolojiStatus.BadHandle ||
                status == (int)TeleradyolojiStatus.Forked;
        }
    }
}
