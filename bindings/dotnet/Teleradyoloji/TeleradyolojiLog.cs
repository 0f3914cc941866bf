using System;
using System.Collections.Generic;
using System.Threading;

namespace Teleradyoloji
{
    /// <summary>The levels of the library's log events (TRL_LOG_*).</summary>
    public enum TeleradyolojiLogLevel
    {
        /// <summary>a call failed because of the server or the network</summary>
        Error = 1,
        /// <summary>something was retried, refused or dropped</summary>
        Warning = 2,
        /// <summary>a token fetched, a connection or TLS session opened, ...</summary>
        Info = 3,
        /// <summary>cache hits, kept connections reused, each HTTP exchange</summary>
        Debug = 4,
    }

    /// <summary>One log event of the library: a stable dotted Name ("token.fetched", "http.retry", "conn.opened", ...), a Level, an English Message and the event's JSON object with its fields (host, status, ms, attempt, ...). Never a password, token, OTAC or full T.C. identity number.</summary>
    public sealed class TeleradyolojiLogEvent
    {
        internal TeleradyolojiLogEvent(TeleradyolojiLogLevel level, string json)
        {
            Level = level;
            Json = json;
            Dictionary<string, object> fields = null;
            try { fields = MiniJson.Parse(json) as Dictionary<string, object>; }
            catch (FormatException) { }
            Fields = fields ?? new Dictionary<string, object>();
            object v;
            Name = Fields.TryGetValue("event", out v) ? v as string : null;
            Message = Fields.TryGetValue("message", out v) ? v as string : null;
        }

        /// <summary>The event's level.</summary>
        public TeleradyolojiLogLevel Level { get; private set; }

        /// <summary>The event's name, e.g. "token.fetched".</summary>
        public string Name { get; private set; }

        /// <summary>The event's English message.</summary>
        public string Message { get; private set; }

        /// <summary>The whole event as JSON, as the library made it.</summary>
        public string Json { get; private set; }

        /// <summary>The event's fields: strings, doubles and bools (MiniJson's types).</summary>
        public IReadOnlyDictionary<string, object> Fields { get; private set; }

        /// <summary>The level as Microsoft.Extensions.Logging.LogLevel's number (Debug 1, Information 2, Warning 3, Error 4), so that (LogLevel)e.MicrosoftLevel needs no reference here.</summary>
        public int MicrosoftLevel
        {
            get
            {
                switch (Level)
                {
                    case TeleradyolojiLogLevel.Error: return 4;
                    case TeleradyolojiLogLevel.Warning: return 3;
                    case TeleradyolojiLogLevel.Info: return 2;
                    default: return 1;
                }
            }
        }

        /// <summary>The event as one line: name, message and JSON.</summary>
        public override string ToString()
        {
            return Name + " " + Message + " " + Json;
        }
    }

    /// <summary>The library's log, process-wide. Plug an ILogger in with one line: TeleradyolojiLog.Enable(e =&gt; logger.Log((LogLevel)e.MicrosoftLevel, "{Event} {Message} {Json}", e.Name, e.Message, e.Json)); The handler runs on a thread the library owns, never on the thread that made the call, and never while a call waits: a slow handler slows no call (when 1024 events wait, the rest are dropped and a later "log.dropped" event says how many). It must not call the library, and an exception it throws is swallowed. The library's thread never runs the library's Go code, so Mono and the CLR may adopt it safely.</summary>
    public static class TeleradyolojiLog
    {
        private static readonly object Gate = new object();
        private static readonly NativeMethods.LogCallback Callback = Deliver; // kept alive: native code holds it
        private static volatile Action<TeleradyolojiLogEvent> _handler;
        private static bool _hooked;

        /// <summary>Sends events up to maxLevel to handler, replacing any handler set before.</summary>
        public static void Enable(Action<TeleradyolojiLogEvent> handler,
            TeleradyolojiLogLevel maxLevel = TeleradyolojiLogLevel.Info)
        {
            if (handler == null) throw new ArgumentNullException("handler");
            lock (Gate)
            {
                Hook();
                _handler = handler;
                int status = NativeMethods.trl_set_log(Callback, IntPtr.Zero, (int)maxLevel);
                if (status != 0)
                {
                    _handler = null;
                    throw Errors.Binding((TeleradyolojiStatus)status, "trl_set_log failed");
                }
            }
        }

        /// <summary>Stops the events. When it returns, the handler is not running and will not run again.</summary>
        public static void Disable()
        {
            lock (Gate)
            {
                if (_handler == null) return;
                NativeMethods.trl_set_log(null, IntPtr.Zero, 0); // waits for an event being delivered
                _handler = null;
            }
        }

        // Native code must never call a delegate of an unloaded AppDomain or an ended runtime.
        private static void Hook()
        {
            if (_hooked) return;
            _hooked = true;
            AppDomain.CurrentDomain.ProcessExit += (s, e) => Disable();
            AppDomain.CurrentDomain.DomainUnload += (s, e) => Disable();
        }

        [ThreadStatic] private static bool _adopted;

        private static void Deliver(IntPtr userData, int level, IntPtr eventJson)
        {
            try
            {
                if (!_adopted)
                {
                    // The runtime adopted the library's thread to run this: as a background
                    // thread, so that it never keeps the process from exiting (Mono waits for
                    // foreground threads at exit, and this one waits in native code for events).
                    _adopted = true;
                    Thread.CurrentThread.IsBackground = true;
                }
                Action<TeleradyolojiLogEvent> handler = _handler;
                if (handler == null || eventJson == IntPtr.Zero) return;
                handler(new TeleradyolojiLogEvent((TeleradyolojiLogLevel)level, Utf8.Read(eventJson)));
            }
            catch (Exception) { } // never into native code
        }
    }
}
