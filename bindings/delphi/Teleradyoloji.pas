{ Teleradyoloji.pas -- Delphi / Free Pascal binding of libteleradyoloji (ABI 1).

  Opens a study in the Ministry of Health's teleradiology viewer and calls the
  Teletip integration API, authenticated through OGN:

    var Client: TTeleradyolojiClient;
    Client := TTeleradyolojiClient.CreateWith('1234567', Password, 'HIS-CODE');
    try
      OpenInBrowser(Client.ViewerUrl('ACC123', DoctorTC, PatientTC));
    finally
      Client.Free;
    end;

  Compilers: Delphi 7 .. 2007 (AnsiString), Delphi 2009 and later
  (UnicodeString), 32-bit and 64-bit; Free Pascal 3.x (the unit switches to
  Delphi mode itself, or DelphiUnicode when the project compiles in it).

  DEPLOYMENT
    Windows: put teleradyoloji.dll and teleradyoloji-core.dll (which it
    loads) beside the EXE, with the EXE's bitness: the
    x86 DLL beside a 32-bit EXE, the x64 DLL beside a 64-bit EXE (both are
    called teleradyoloji.dll; keep them in per-platform output folders such
    as Win32\Release and Win64\Release). The library needs Windows 10 /
    Server 2016 or later; on older Windows the EXE still starts and every
    call raises ETeleradyolojiError saying so (Turkish included).
    Linux: libteleradyoloji.so on the loader's path (beside the program with
    an rpath of $ORIGIN, in /usr/local/lib, or LD_LIBRARY_PATH).
    The library is imported statically: the OS loads it when the program
    starts and it stays loaded until the process ends. It contains a Go
    runtime and must never be unloaded: do not LoadLibrary/FreeLibrary it
    yourself, and load only one Go-based DLL per process.
    Delphi 2010+ on Windows: define TELERADYOLOJI_DELAYED in the project to
    import it "delayed" instead: the EXE then starts even where the DLL is
    missing or Windows is too old, and the first call raises the load error.
    Delayed imports are never unloaded either.

  RUN-TIME LOADING (recommended, every Delphi 7 .. 12 and Free Pascal)
    Define TELERADYOLOJI_DYNAMIC in the project (Project > Options >
    Conditional defines; fpc -dTELERADYOLOJI_DYNAMIC). The trl_* imports
    then become procedure variables that the unit fills on first use
    (TTeleradyolojiClient.Create, TeleradyolojiVersion, ...) or when you call
    TeleradyolojiLoad yourself: LoadLibrary + GetProcAddress (dlopen + dlsym
    through Free Pascal's dynlibs on Unix), never FreeLibrary. The EXE always
    starts; a load that fails raises ETeleradyolojiError (Status
    TRL_E_CONFIG) saying why: the DLL is missing (error 126), has the wrong
    bitness (error 193: a 32-bit EXE needs the x86 DLL, a 64-bit EXE the x64
    one), lacks a function, answers another ABI version, or Windows is older
    than 10 (no ProcessPrng in bcryptprimitives.dll: "Windows 10 veya ustu
    gerekir"). On Windows the DLL is loaded by full path from the folder of
    the module that contains this unit (the EXE, or your DLL), never through
    the DLL search path. A failed load is not remembered: after fixing the
    cause, the next call tries again. Call the raw trl_* variables only
    after TeleradyolojiLoad. In every mode TeleradyolojiLoad (and the first
    client) also checks the library's ABI version.

  TEXT
    The library speaks UTF-8. Strings are converted on the way in and out:
    Delphi 2009+ from/to UnicodeString; Delphi 7 from/to the ANSI code page
    (Turkish letters survive under code page 1254); Free Pascal by the
    string's code page (on Unix add the cwstring unit, or keep strings UTF-8,
    which is what the utf8 codepage directive and Lazarus do).
    Non-Unicode programs (Delphi 7 .. 2007, Free Pascal's Delphi mode on
    Windows): a string holds only the letters of the Windows ANSI code page,
    so a password with g-breve, s-cedilla, dotless i or dotted I reaches
    OGN intact only under code page 1254 (Turkish Windows); under 1252 they
    are lost before the unit sees them and OGN refuses the password. Such
    programs pass the credentials as UTF-8 with CreateWithUtf8 (a
    UTF8String: in Delphi 7 from UTF8Encode of a WideString, or read as
    UTF-8 from a file), or write them as \u escapes in Create's JSON
    ("\u011f" for g-breve).

  FLOATING POINT
    Delphi before RAD Studio 12 (and Free Pascal) run with floating-point
    exceptions unmasked, under which Go code may fault. Every call into the
    library masks them on the calling thread and restores the caller's x87
    control word and MXCSR afterwards.

  ERRORS
    Every failure raises ETeleradyolojiError (Status is one of the TRL_E_*
    codes). Messages never contain the password, a token or an OTAC.

  HELPER SERVICES
    Call returns the answer as text: the whole body is read (through
    trl_call_bytes, so nothing is cut at a NUL byte) and must be UTF-8, else
    Call raises ETeleradyolojiError with Status TRL_E_PROTOCOL. CallBytes
    returns the body's bytes exactly as received, as a TTeleradyolojiBytes:
    RawByteString in Delphi 2009+ and Free Pascal, AnsiString in Delphi 7 ..
    2007 (which has no code page there). Treat it as bytes: Length(B) bytes,
    Ord(B[I]) for I in 1..Length(B), Move(B[1], Buffer, Length(B)) or
    Stream.WriteBuffer(B[1], Length(B)); never assign it to a string (that
    would convert it from a code page). On a non-2xx answer both raise
    TRL_E_HTTP with HttpStatus and Response (the body as text, bytes that
    are not UTF-8 replaced by U+FFFD).

  FORK
    On Linux, a child process forked (fork() without exec) after the library
    was loaded cannot use it: the Go runtime inside does not survive fork().
    Every call there raises ETeleradyolojiError with Status TRL_E_FORKED at
    once, without touching the parent's connections; Free of a client
    inherited from the parent closes nothing and raises nothing;
    TeleradyolojiVersion still answers; the parent is unaffected. Use the
    library only in the process that loaded it (with the static import:
    the program itself), or exec after fork. The library notices libc's
    fork(); Free Pascal's FpFork is a raw system call it cannot see, so
    under Free Pascal on Unix this unit compares process ids and answers
    TRL_E_FORKED itself (the raw trl_* imports get no such check: do not
    call them in an FpFork child). Windows has no fork.

  THREADS
    One TTeleradyolojiClient may be used from many threads at once.

  LOGGING
    TeleradyolojiSetLog(Handler, TRL_LOG_INFO) sends the library's log
    events (token.fetched, http.retry, conn.opened, ...: see teleradyoloji.h)
    to a method of an object; TeleradyolojiSetLog(nil) stops them and returns
    only when the handler is no longer running, so the object may then be
    freed. The handler runs on a thread the library owns, never on the thread
    that made the call:
      - the unit sets IsMultiThread := True, so that the memory manager
        locks (Delphi's is not thread-safe until then); with Free Pascal on
        Linux, put cthreads first in the program's uses clause;
      - never touch VCL/LCL controls in it: hand the text to the UI thread
        with TThread.Queue (Delphi 2009+) or PostMessage of a copy (Delphi
        7), never with TThread.Synchronize or SendMessage: the UI thread may
        be the one waiting in TeleradyolojiSetLog(nil) or at program exit
        for the handler to return;
      - return soon and do not call the library from it (calls there fail
        with TRL_E_INVALID_ARGUMENT); an exception it raises is swallowed.
    A slow handler never slows a call: events wait in a queue of 1024, and
    a later "log.dropped" event says how many were dropped. The unit turns
    logging off in its finalization.

  ERRORS IN TURKISH
    ETeleradyolojiError.MessageTr is the message in plain Turkish for the
    person at the HIS ("e-Nabiz sifresi veya kurum kodu hatali", ...). }
unit Teleradyoloji;

{$IFDEF TELERADYOLOJI_DYNAMIC}{$DEFINE TRL_DYNAMIC}{$ENDIF}
{$IFDEF FPC}
  {$IFDEF UNICODE}{$MODE DELPHIUNICODE}{$ELSE}{$MODE DELPHI}{$ENDIF}
  { TRL_TEST_FPU_WIN64: the tests run Delphi's Win64 routines under Free Pascal. }
  {$IF defined(TRL_TEST_FPU_WIN64) and defined(CPUX86_64) and defined(MSWINDOWS)}
    {$DEFINE TRL_FPU_WIN64}
  {$ELSEIF defined(CPUI386) or defined(CPUX86_64)}
    {$DEFINE TRL_FPU_ASM}
  {$IFEND}
  {$IFDEF UNIX}{$DEFINE TRL_PID_CHECK}{$ENDIF}   { see InForkedChild }
{$ELSE}
  {$IFDEF CPUX64}
    {$IFDEF MSWINDOWS}{$DEFINE TRL_FPU_WIN64}{$ELSE}{$DEFINE TRL_FPU_RTL}{$ENDIF}
  {$ELSE}
    {$IFDEF CPU386}{$DEFINE TRL_FPU_ASM}{$ENDIF}
  {$ENDIF}
  {$IFDEF TELERADYOLOJI_DELAYED}{$IFNDEF TRL_DYNAMIC}
    {$IFDEF MSWINDOWS}{$IF CompilerVersion >= 21}{$DEFINE TRL_DELAYED}{$IFEND}{$ENDIF}
  {$ENDIF}{$ENDIF}
  { Delphi 7+ (.NET-era warnings): pointers, PAnsiChar and casts are the
    point of a C binding. }
  {$WARN UNSAFE_TYPE OFF}
  {$WARN UNSAFE_CODE OFF}
  {$WARN UNSAFE_CAST OFF}
{$ENDIF}

interface

uses
  SysUtils;

const
{$IFDEF MSWINDOWS}
  TeleradyolojiLibrary = 'teleradyoloji.dll';
{$ELSE}
  {$IF defined(DARWIN) or defined(MACOS)}
  TeleradyolojiLibrary = 'libteleradyoloji.dylib';
  {$ELSE}
  TeleradyolojiLibrary = 'libteleradyoloji.so';
  {$IFEND}
{$ENDIF}

  { The ABI this unit binds: TRL_ABI_VERSION of teleradyoloji.h (in Pascal
    the name would clash with the function trl_abi_version). }
  TeleradyolojiAbi = 1;

  { Status codes (teleradyoloji.h). Only ever appended. }
  TRL_OK                 = 0;
  TRL_E_INVALID_ARGUMENT = 1;
  TRL_E_CONFIG           = 2;
  TRL_E_BAD_HANDLE       = 3;
  TRL_E_AUTH             = 4;
  TRL_E_HTTP             = 5;
  TRL_E_NETWORK          = 6;
  TRL_E_TIMEOUT          = 7;
  TRL_E_PROTOCOL         = 8;
  TRL_E_INTERNAL         = 9;
  TRL_E_FORKED           = 10;  { a child forked without exec after the library loaded }

  { Log levels (TRL_LOG_*): an event is delivered when its level <= MaxLevel. }
  TRL_LOG_ERROR = 1;
  TRL_LOG_WARN  = 2;
  TRL_LOG_INFO  = 3;
  TRL_LOG_DEBUG = 4;

type
  { trl_client: a uintptr_t handle; 0 is never valid. }
{$IFDEF FPC}
  TTrlClient = PtrUInt;
{$ELSE}
  {$IF CompilerVersion >= 23}
  TTrlClient = NativeUInt;
  {$ELSE}
  TTrlClient = Cardinal;
  {$IFEND}
{$ENDIF}
  PTrlClient = ^TTrlClient;

  { The bytes of an answer (CallBytes): a byte string no code-page
    conversion touches. See HELPER SERVICES above. }
{$IFDEF FPC}
  TTeleradyolojiBytes = RawByteString;
{$ELSE}
  {$IF CompilerVersion >= 20}
  TTeleradyolojiBytes = RawByteString;
  {$ELSE}
  TTeleradyolojiBytes = AnsiString;
  {$IFEND}
{$ENDIF}
  PTrlPChar = ^PAnsiChar;
  PTrlInt32 = ^Integer;
  PTrlInt64 = ^Int64;
  { typedef void (TRL_CALL *trl_log_fn)(void *user_data, int32_t level, const char *event_json); }
  TTrlLogFn = procedure(UserData: Pointer; Level: Integer; EventJson: PAnsiChar); cdecl;

  { The calling thread's floating-point control state (x87 control word and
    MXCSR on x86/x64). }
  TTrlFpuState = record
    X87: Word;
    MXCSR: Cardinal;
  end;

{ Raw imports: the C ABI exactly as in teleradyoloji.h, cdecl everywhere.
  Every PAnsiChar is UTF-8. Strings returned through PTrlPChar belong to the
  library and are released only with trl_free. Call these between
  TrlMaskFpu and TrlRestoreFpu; TTeleradyolojiClient does all this for you. }
{$IFDEF TRL_DYNAMIC}
var
  { Filled by TeleradyolojiLoad; nil before. }
  trl_abi_version: function: Integer; cdecl;
  trl_version: function: PAnsiChar; cdecl;
  trl_status_name: function(Status: Integer): PAnsiChar; cdecl;
  trl_free: procedure(P: Pointer); cdecl;
  trl_client_new: function(ConfigJson: PAnsiChar; OutClient: PTrlClient;
    Err: PTrlPChar): Integer; cdecl;
  trl_client_close: function(Client: TTrlClient): Integer; cdecl;
  trl_service_token: function(Client: TTrlClient; Token: PTrlPChar;
    ExpiresAtUnix: PTrlInt64; Err: PTrlPChar): Integer; cdecl;
  trl_viewer_token: function(Client: TTrlClient; DoctorTC, PatientTC: PAnsiChar;
    Token: PTrlPChar; ExpiresAtUnix: PTrlInt64; Err: PTrlPChar): Integer; cdecl;
  trl_post_otac: function(Client: TTrlClient; Token, Accession: PAnsiChar;
    Otac: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  trl_build_viewer_url: function(Client: TTrlClient; Otac: PAnsiChar;
    Url: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  trl_viewer_url: function(Client: TTrlClient; Accession, DoctorTC,
    PatientTC: PAnsiChar; Url: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  trl_call: function(Client: TTrlClient; Method, Path, JsonBody: PAnsiChar;
    HttpStatus: PTrlInt32; Response: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  trl_call_bytes: function(Client: TTrlClient; Method, Path, JsonBody: PAnsiChar;
    HttpStatus: PTrlInt32; Response: PTrlPChar; ResponseLen: PTrlInt64;
    Err: PTrlPChar): Integer; cdecl;
  trl_set_log: function(Fn: TTrlLogFn; UserData: Pointer; MaxLevel: Integer): Integer; cdecl;
  trl_diagnose: function(Client: TTrlClient; ReportJson: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  trl_prefetch_viewer_token: function(Client: TTrlClient; DoctorTC, PatientTC: PAnsiChar;
    Err: PTrlPChar): Integer; cdecl;
{$ELSE}
function trl_abi_version: Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_abi_version' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_version: PAnsiChar; cdecl;
  external TeleradyolojiLibrary name 'trl_version' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_status_name(Status: Integer): PAnsiChar; cdecl;
  external TeleradyolojiLibrary name 'trl_status_name' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
procedure trl_free(P: Pointer); cdecl;
  external TeleradyolojiLibrary name 'trl_free' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_client_new(ConfigJson: PAnsiChar; OutClient: PTrlClient;
  Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_client_new' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_client_close(Client: TTrlClient): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_client_close' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_service_token(Client: TTrlClient; Token: PTrlPChar;
  ExpiresAtUnix: PTrlInt64; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_service_token' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_viewer_token(Client: TTrlClient; DoctorTC, PatientTC: PAnsiChar;
  Token: PTrlPChar; ExpiresAtUnix: PTrlInt64; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_viewer_token' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_post_otac(Client: TTrlClient; Token, Accession: PAnsiChar;
  Otac: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_post_otac' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_build_viewer_url(Client: TTrlClient; Otac: PAnsiChar;
  Url: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_build_viewer_url' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_viewer_url(Client: TTrlClient; Accession, DoctorTC,
  PatientTC: PAnsiChar; Url: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_viewer_url' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_call(Client: TTrlClient; Method, Path, JsonBody: PAnsiChar;
  HttpStatus: PTrlInt32; Response: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_call' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
{ trl_call with the body's length: the body may hold NUL bytes or any bytes. }
function trl_call_bytes(Client: TTrlClient; Method, Path, JsonBody: PAnsiChar;
  HttpStatus: PTrlInt32; Response: PTrlPChar; ResponseLen: PTrlInt64;
  Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_call_bytes' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_set_log(Fn: TTrlLogFn; UserData: Pointer; MaxLevel: Integer): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_set_log' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_diagnose(Client: TTrlClient; ReportJson: PTrlPChar; Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_diagnose' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
function trl_prefetch_viewer_token(Client: TTrlClient; DoctorTC, PatientTC: PAnsiChar;
  Err: PTrlPChar): Integer; cdecl;
  external TeleradyolojiLibrary name 'trl_prefetch_viewer_token' {$IFDEF TRL_DELAYED}delayed{$ENDIF};
{$ENDIF}

type
  { An OGN access token. ExpiresAt is in UTC. }
  TTeleradyolojiToken = record
    Value: string;
    ExpiresAt: TDateTime;
  end;

  { A failed library call. Status is a TRL_E_* code; HttpStatus is 0 when no
    HTTP answer was involved; ServerError is OGN's OAuth "error" (e.g.
    invalid_grant); Response is the server's body for a failed Call. }
  ETeleradyolojiError = class(Exception)
  private
    FStatus: Integer;
    FStatusName: string;
    FHttpStatus: Integer;
    FServerError: string;
    FServerErrorDescription: string;
    FRetryable: Boolean;
    FResponse: string;
    FMessageTr: string;
  public
    property Status: Integer read FStatus;
    property StatusName: string read FStatusName;
    property HttpStatus: Integer read FHttpStatus;
    property ServerError: string read FServerError;
    property ServerErrorDescription: string read FServerErrorDescription;
    property Retryable: Boolean read FRetryable;
    property Response: string read FResponse;
    { The message in plain Turkish, UTF-8 decoded as the unit does (see TEXT). }
    property MessageTr: string read FMessageTr;
  end;

  { A log event: its level (TRL_LOG_*), its stable dotted name (e.g.
    'token.fetched'), its English message and the whole event as JSON. }
  TTeleradyolojiLogEvent = procedure(Level: Integer; const EventName, Message,
    EventJson: string) of object;

  { A client: settings, a connection pool and a token cache. Free closes it. }
  TTeleradyolojiClient = class
  private
    FHandle: TTrlClient;
    procedure Open(const ConfigUtf8: UTF8String);
    procedure OpenWith(const InstitutionCode, Password, ApplicationCode, OgnUrl,
      ApiUrl, ViewerUrl: UTF8String);
    function CallRaw(const Method, Path, JsonBody: string;
      out HttpStatus: Integer): TTeleradyolojiBytes;
  public
    (* ConfigJson: the settings of teleradyoloji.h as a JSON object, e.g.
       '{"institution_code":"1234567","password":"...","application_code":"..."}'. *)
    constructor Create(const ConfigJson: string);
    { The three credentials and, optionally, other OGN, API or viewer bases
      (empty: the Ministry's). }
    constructor CreateWith(const InstitutionCode, Password, ApplicationCode: string;
      const OgnUrl: string = ''; const ApiUrl: string = '';
      const ViewerUrl: string = '');
    { CreateWith with every text as UTF-8, whatever the ANSI code page: for
      non-Unicode programs whose password has letters that code page lacks
      (see TEXT above). }
    constructor CreateWithUtf8(const InstitutionCode, Password, ApplicationCode: UTF8String;
      const OgnUrl: UTF8String = ''; const ApiUrl: UTF8String = '';
      const ViewerUrl: UTF8String = '');
    destructor Destroy; override;

    { The token for helper-service calls (cached). }
    function ServiceToken: TTeleradyolojiToken;
    { The token for opening the viewer, cached per doctor and patient; an
      empty T.C. number is not sent. }
    function ViewerToken(const DoctorTC: string = '';
      const PatientTC: string = ''): TTeleradyolojiToken;
    { Asks for a one-time code (OTAC) for the study with that accession
      number, with the given token. }
    function PostOtac(const Token, Accession: string): string;
    { The viewer URL for an OTAC (no network). }
    function BuildViewerUrl(const Otac: string): string;
    { Viewer token -> OTAC -> URL: the one call most HIS code needs. Open
      the URL once, in a new tab or an iframe; do not keep or log it. }
    function ViewerUrl(const Accession: string; const DoctorTC: string = '';
      const PatientTC: string = ''): string;
    { A hint, e.g. when a worklist row is selected: the viewer token for this
      doctor and patient is fetched in the background (unless cached), so
      ViewerUrl for them then costs one round trip. Returns at once; raises
      only for identity numbers ViewerUrl would refuse. A failed fetch is
      logged, and the later ViewerUrl raises as usual. At most 2 such fetches
      run per client and the newest 4 hints wait; older ones are dropped. }
    procedure PrefetchViewerToken(const DoctorTC: string = '';
      const PatientTC: string = '');
    { A helper-service call with the service token. Path is relative to the
      API base; JsonBody '' sends no body. Returns the response body as text;
      a body that is not UTF-8 raises TRL_E_PROTOCOL (use CallBytes). }
    function Call(const Method, Path: string; const JsonBody: string = ''): string;
    { Call returning the body's bytes exactly as received (NUL bytes, bytes
      that are not UTF-8, files). }
    function CallBytes(const Method, Path: string;
      const JsonBody: string = ''): TTeleradyolojiBytes;
    { Checks the connection to the Ministry step by step (settings, proxy,
      DNS, TCP, TLS, HTTP, clock, OGN credentials, an authenticated API
      request); returns the report as JSON: "ok" and "steps", each with
      "message"/"message_tr" and, when it failed, "advice"/"advice_tr". A
      failed check raises nothing: it is in the report. }
    function Diagnose: string;

    { The raw trl_client handle (for the trl_* imports). }
    property Handle: TTrlClient read FHandle;
  end;

{ Masks every floating-point exception on the calling thread; Saved receives
  the caller's state. No RTL global (Default8087CW, DefaultMXCSR) changes. }
procedure TrlMaskFpu(out Saved: TTrlFpuState);
{ Restores the state saved by TrlMaskFpu. }
procedure TrlRestoreFpu(const Saved: TTrlFpuState);

{ The library's version, e.g. '1.0.0'. }
function TeleradyolojiVersion: string;
{ The ABI version of the loaded library (TeleradyolojiAbi for this unit). }
function TeleradyolojiAbiVersion: Integer;
{ The name of a status code, e.g. 'TRL_E_AUTH'. }
function TeleradyolojiStatusName(Status: Integer): string;
{ Sends the library's log events of levels 1..MaxLevel to Handler; nil stops
  them. Returns when the previous handler is no longer running (see LOGGING
  above). Process-wide. }
procedure TeleradyolojiSetLog(Handler: TTeleradyolojiLogEvent;
  MaxLevel: Integer = TRL_LOG_INFO);

{ Makes the library usable, once (later calls return at once), and checks
  its ABI version; raises ETeleradyolojiError (TRL_E_CONFIG) with the reason
  otherwise. With TELERADYOLOJI_DYNAMIC it first checks the platform and
  loads LibraryPath ('' = TeleradyolojiLibrary beside this module on
  Windows, the loader's search on Unix); the library is never unloaded.
  Without it the library is already loaded and LibraryPath is ignored.
  Every client and function of this unit calls it first. }
procedure TeleradyolojiLoad(const LibraryPath: string = '');

implementation

{ Windows comes before SyncObjs: Free Pascal's Windows unit declares a record
  TCriticalSection, and the last unit of a uses clause wins (see TTrlLock). }
{$IFDEF TRL_PID_CHECK}
uses
  BaseUnix{$IFDEF TRL_DYNAMIC}{$IFNDEF MSWINDOWS}, dynlibs{$ENDIF}{$ENDIF}{$IFDEF MSWINDOWS}, Windows{$ENDIF}, SyncObjs;
{$ELSE}
  {$IFDEF MSWINDOWS}
uses
  Windows, SyncObjs;
  {$ELSE}
    {$IF defined(TRL_DYNAMIC) and defined(FPC)}
uses
  SyncObjs, dynlibs;
    {$ELSE}
uses
  SyncObjs;
    {$IFEND}
  {$ENDIF}
{$ENDIF}

{ ---- Floating point --------------------------------------------------- }

const
  X87MaskAll = $003F;   { IM DM ZM OM UM PM }
  MXCSRMaskAll = $1F80; { the same six masks in MXCSR }

{$IFDEF TRL_FPU_ASM}
{ 32-bit Delphi and Free Pascal on x86/x86-64: inline assembler on locals.
  The RTL's Set8087CW/SetMXCSR would also write the process-wide
  Default8087CW/DefaultMXCSR, racing with other threads. }
function ReadX87: Word;
var
  W: Word;
begin
  asm
    fnstcw W
  end;
  Result := W;
end;

procedure LoadX87(W: Word);
var
  V: Word;
begin
  V := W;   { a local, not a register parameter, for the memory operand }
  asm
    fnclex
    fldcw V
  end;
end;

function ReadMXCSR: Cardinal;
var
  C: Cardinal;
begin
{$IFDEF FPC}
  asm
    stmxcsr C
  end;
{$ELSE}
  asm
    lea eax, C
    db $0F, $AE, $18   { stmxcsr [eax]: spelled out for Delphi 7's assembler }
  end;
{$ENDIF}
  Result := C;
end;

procedure LoadMXCSR(C: Cardinal);
var
  V: Cardinal;
begin
  V := C;
{$IFDEF FPC}
  asm
    ldmxcsr V
  end;
{$ELSE}
  asm
    lea eax, V
    db $0F, $AE, $10   { ldmxcsr [eax] }
  end;
{$ENDIF}
end;
{$ENDIF}

{$IFDEF TRL_FPU_WIN64}
{ 64-bit Delphi on Windows: no inline assembler in Pascal routines; these
  use the caller's home space [rsp+8] as scratch. (Free Pascal spells
  .NOFRAME as nostackframe.) }
{$IFDEF FPC}{$ASMMODE INTEL}{$ENDIF}
function ReadX87: Word; {$IFDEF FPC}assembler; nostackframe;{$ENDIF}
asm
  {$IFNDEF FPC}.NOFRAME{$ENDIF}
  fnstcw word ptr [rsp+8]
  movzx eax, word ptr [rsp+8]
end;

procedure LoadX87(W: Word); {$IFDEF FPC}assembler; nostackframe;{$ENDIF}
asm
  {$IFNDEF FPC}.NOFRAME{$ENDIF}
  mov word ptr [rsp+8], cx
  fnclex
  fldcw word ptr [rsp+8]
end;

function ReadMXCSR: Cardinal; {$IFDEF FPC}assembler; nostackframe;{$ENDIF}
asm
  {$IFNDEF FPC}.NOFRAME{$ENDIF}
  stmxcsr dword ptr [rsp+8]
  mov eax, dword ptr [rsp+8]
end;

procedure LoadMXCSR(C: Cardinal); {$IFDEF FPC}assembler; nostackframe;{$ENDIF}
asm
  {$IFNDEF FPC}.NOFRAME{$ENDIF}
  mov dword ptr [rsp+8], ecx
  ldmxcsr dword ptr [rsp+8]
end;
{$ENDIF}

procedure TrlMaskFpu(out Saved: TTrlFpuState);
begin
{$IF defined(TRL_FPU_ASM) or defined(TRL_FPU_WIN64)}
  Saved.X87 := ReadX87;
  Saved.MXCSR := ReadMXCSR;
  LoadX87(Saved.X87 or X87MaskAll);
  LoadMXCSR(Saved.MXCSR or MXCSRMaskAll);
{$ELSE}
  {$IFDEF TRL_FPU_RTL}
  Saved.X87 := 0;
  Saved.MXCSR := GetMXCSR;
  SetMXCSR(Saved.MXCSR or MXCSRMaskAll);
  {$ELSE}
  Saved.X87 := 0;       { no x87/SSE: nothing to mask }
  Saved.MXCSR := 0;
  {$ENDIF}
{$IFEND}
end;

{ x87 status flags raised inside the library are cleared (fnclex) before the
  caller's masks come back, so they cannot fire later in the caller's code. }
procedure TrlRestoreFpu(const Saved: TTrlFpuState);
begin
{$IF defined(TRL_FPU_ASM) or defined(TRL_FPU_WIN64)}
  LoadMXCSR(Saved.MXCSR);
  LoadX87(Saved.X87);
{$ELSE}
  {$IFDEF TRL_FPU_RTL}
  SetMXCSR(Saved.MXCSR);
  {$ENDIF}
{$IFEND}
end;

{ ---- Text ------------------------------------------------------------- }

function ToUtf8(const S: string): UTF8String;
begin
{$IFDEF FPC}
  {$IFDEF UNICODE}
  Result := UTF8Encode(S);
  {$ELSE}
  Result := S;            { converted by S's code page, if it differs }
  {$ENDIF}
{$ELSE}
  Result := UTF8Encode(S); { Delphi 2009+: from UTF-16; older: from ANSI }
{$ENDIF}
end;

function FromUtf8(const U: UTF8String): string;
begin
{$IFDEF FPC}
  {$IFDEF UNICODE}
  Result := UTF8Decode(U);
  {$ELSE}
  Result := U;            { keeps the bytes, tagged as UTF-8 }
  {$ENDIF}
{$ELSE}
  {$IFDEF UNICODE}
  Result := UTF8ToString(U);
  {$ELSE}
  Result := UTF8Decode(U);
  {$ENDIF}
{$ENDIF}
end;

{ The bytes of a NUL-terminated UTF-8 or ASCII string (by hand: StrLen's
  PAnsiChar overload moved between Delphi versions). }
function Utf8From(P: PAnsiChar): UTF8String;
var
  N: Integer;
begin
  Result := '';
  if P = nil then
    Exit;
  N := 0;
  while P[N] <> #0 do
    Inc(N);
  SetString(Result, P, N);
end;

{ Copies a library string and releases it with trl_free. Call it with the
  FPU masked. }
function Take(var P: PAnsiChar): UTF8String;
begin
  try
    Result := Utf8From(P);
  finally
    trl_free(P);   { trl_free(nil) is a no-op }
    P := nil;
  end;
end;

{ Copies Len bytes the library allocated (NUL bytes included) and releases
  them with trl_free. Call it with the FPU masked. }
function TakeBytes(var P: PAnsiChar; Len: Int64): TTeleradyolojiBytes;
begin
  Result := '';
  try
    if (P <> nil) and (Len > 0) and (Len <= MaxInt) then
      SetString(Result, P, Integer(Len));
  finally
    trl_free(P);
    P := nil;
  end;
end;

{ The 1-based index, from Start on, where the first sequence that is not
  UTF-8 starts (overlong forms, surrogates and code points past U+10FFFF
  included); 0 when the rest of B is UTF-8. }
function InvalidUtf8At(const B: TTeleradyolojiBytes; Start: Integer): Integer;
var
  I, K, N, C, Lo, Hi: Integer;
begin
  Result := 0;
  I := Start;
  while I <= Length(B) do
  begin
    C := Ord(B[I]);
    if C < $80 then
    begin
      Inc(I);
      Continue;
    end;
    if (C >= $C2) and (C <= $DF) then
      N := 1
    else if (C >= $E0) and (C <= $EF) then
      N := 2
    else if (C >= $F0) and (C <= $F4) then
      N := 3
    else
      N := 0;
    if (N = 0) or (I + N > Length(B)) then
    begin
      Result := I;   { not a lead byte, or cut short }
      Exit;
    end;
    Lo := $80;
    Hi := $BF;
    case C of
      $E0: Lo := $A0;
      $ED: Hi := $9F;
      $F0: Lo := $90;
      $F4: Hi := $8F;
    end;
    if (Ord(B[I + 1]) < Lo) or (Ord(B[I + 1]) > Hi) then
    begin
      Result := I;
      Exit;
    end;
    for K := 2 to N do
      if (Ord(B[I + K]) and $C0) <> $80 then
      begin
        Result := I;
        Exit;
      end;
    Inc(I, N + 1);
  end;
end;

{ The 1-based index of the first byte of B that is not UTF-8; 0 if none. }
function FirstInvalidUtf8(const B: TTeleradyolojiBytes): Integer;
begin
  Result := InvalidUtf8At(B, 1);
end;

{ B as UTF-8 text: each byte that starts no UTF-8 sequence becomes U+FFFD.
  Byte for byte, no code-page conversion. }
function Utf8Sanitized(const B: TTeleradyolojiBytes): UTF8String;
var
  I, K, Bad, Rest: Integer;
begin
  SetLength(Result, 3 * Length(B));
  K := 0;
  I := 1;
  while I <= Length(B) do
  begin
    Bad := InvalidUtf8At(B, I);
    if Bad = 0 then
      Rest := Length(B) - I + 1
    else
      Rest := Bad - I;
    if Rest > 0 then
      Move(B[I], Result[K + 1], Rest);
    Inc(K, Rest);
    Inc(I, Rest);
    if Bad <> 0 then
    begin
      Result[K + 1] := AnsiChar($EF);
      Result[K + 2] := AnsiChar($BF);
      Result[K + 3] := AnsiChar($BD);
      Inc(K, 3);
      Inc(I);
    end;
  end;
  SetLength(Result, K);
end;

{ The bytes of B as a UTF8String, copied (no code-page conversion). }
function BytesAsUtf8(const B: TTeleradyolojiBytes): UTF8String;
begin
  Result := '';
  if Length(B) > 0 then
    SetString(Result, PAnsiChar(Pointer(B)), Length(B));
end;

{ UTF-8 text U as a JSON string literal. }
function JsonUtf8(const U: UTF8String): UTF8String;
const
  Hex: array[0..15] of AnsiChar = '0123456789abcdef';
var
  I, K: Integer;
  C: AnsiChar;
begin
  SetLength(Result, 2 + 6 * Length(U));
  K := 1;
  Result[K] := '"';
  for I := 1 to Length(U) do
  begin
    C := U[I];
    if (C = '"') or (C = '\') then
    begin
      Result[K + 1] := '\';
      Result[K + 2] := C;
      Inc(K, 2);
    end
    else if Ord(C) < $20 then
    begin
      Result[K + 1] := '\';
      Result[K + 2] := 'u';
      Result[K + 3] := '0';
      Result[K + 4] := '0';
      Result[K + 5] := Hex[Ord(C) shr 4];
      Result[K + 6] := Hex[Ord(C) and 15];
      Inc(K, 6);
    end
    else
    begin
      Result[K + 1] := C;   { UTF-8 bytes pass unchanged }
      Inc(K);
    end;
  end;
  Result[K + 1] := '"';
  SetLength(Result, K + 1);
end;

{ S as a JSON string literal, UTF-8. }
function JsonString(const S: string): UTF8String;
begin
  Result := JsonUtf8(ToUtf8(S));
end;

{ ',"name":"value"' for a JSON object; Value is UTF-8. }
function Member(Name: PAnsiChar; const Value: UTF8String): UTF8String;
begin
  Result := Utf8From(',"') + Utf8From(Name) + Utf8From('":') + JsonUtf8(Value);
end;

{ ---- Errors ----------------------------------------------------------- }

type
  (* The library's error object:
     {"code":4,"name":"TRL_E_AUTH","message":"...","http_status":400,
      "server_error":"invalid_grant","server_error_description":"...",
      "retryable":false} *)
  TTrlErrorInfo = record
    Name, Message, ServerError, ServerErrorDescription: UTF8String;
    MessageTr, Event: UTF8String;   { "message_tr"; a log event's "event" }
    HttpStatus: Integer;
    Retryable: Boolean;
  end;

{ Whether S holds exactly the ASCII text A (no code-page conversion). }
function Same(const S: UTF8String; A: PAnsiChar): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to Length(S) do
    if A[I - 1] <> S[I] then   { also stops at A's #0 }
      Exit;
  Result := A[Length(S)] = #0;
end;

{ A JSON integer such as 404; 0 if it is none. }
function ToInt(const S: UTF8String): Integer;
var
  I: Integer;
begin
  Result := 0;
  for I := 1 to Length(S) do
    if (S[I] >= '0') and (S[I] <= '9') and (Result < 100000000) then
      Result := Result * 10 + Ord(S[I]) - Ord('0')
    else
    begin
      Result := 0;
      Exit;
    end;
end;

{ Reads the flat error object by hand (no JSON unit exists in Delphi 7).
  Unknown keys and nested values are skipped; a broken object leaves the
  fields read so far. }
procedure ParseError(const J: UTF8String; var Info: TTrlErrorInfo);
var
  I, N: Integer;

  procedure SkipSpace;
  begin
    while (I <= N) and (J[I] in [' ', #9, #10, #13]) do
      Inc(I);
  end;

  function HexValue(C: AnsiChar): Integer;
  begin
    case C of
      '0'..'9': Result := Ord(C) - Ord('0');
      'a'..'f': Result := Ord(C) - Ord('a') + 10;
      'A'..'F': Result := Ord(C) - Ord('A') + 10;
    else
      Result := -1;
    end;
  end;

  { Four hex digits at J[I..I+3]; -1 if not. }
  function Hex4: Integer;
  var
    K, D: Integer;
  begin
    Result := -1;
    if I + 3 > N then
      Exit;
    Result := 0;
    for K := 0 to 3 do
    begin
      D := HexValue(J[I + K]);
      if D < 0 then
      begin
        Result := -1;
        Exit;
      end;
      Result := Result * 16 + D;
    end;
  end;

  { A string literal at J[I] ('"'), decoded to UTF-8. }
  function ReadString(out S: UTF8String): Boolean;
  var
    K, CP, Lo: Integer;

    procedure Put(B: Integer);
    begin
      Inc(K);
      S[K] := AnsiChar(B);
    end;

  begin
    Result := False;
    SetLength(S, N);   { decoding never grows the text }
    K := 0;
    Inc(I);            { the opening quote }
    while I <= N do
    begin
      if J[I] = '"' then
      begin
        Inc(I);
        SetLength(S, K);
        Result := True;
        Exit;
      end;
      if J[I] <> '\' then
      begin
        Put(Ord(J[I]));
        Inc(I);
        Continue;
      end;
      Inc(I);
      if I > N then
        Break;
      case J[I] of
        'b': Put(8);
        'f': Put(12);
        'n': Put(10);
        'r': Put(13);
        't': Put(9);
        'u':
          begin
            Inc(I);
            CP := Hex4;
            if CP < 0 then
              Break;
            Inc(I, 3);
            if (CP >= $D800) and (CP < $DC00) and (I + 6 <= N) and
              (J[I + 1] = '\') and (J[I + 2] = 'u') then
            begin
              Inc(I, 3);
              Lo := Hex4;
              if (Lo >= $DC00) and (Lo < $E000) then
              begin
                CP := $10000 + (CP - $D800) shl 10 + (Lo - $DC00);
                Inc(I, 3);
              end
              else
                Dec(I, 3);
            end;
            if CP < $80 then
              Put(CP)
            else if CP < $800 then
            begin
              Put($C0 or (CP shr 6));
              Put($80 or (CP and $3F));
            end
            else if CP < $10000 then
            begin
              Put($E0 or (CP shr 12));
              Put($80 or ((CP shr 6) and $3F));
              Put($80 or (CP and $3F));
            end
            else
            begin
              Put($F0 or (CP shr 18));
              Put($80 or ((CP shr 12) and $3F));
              Put($80 or ((CP shr 6) and $3F));
              Put($80 or (CP and $3F));
            end;
          end;
      else
        Put(Ord(J[I]));   { \" \\ \/ }
      end;
      Inc(I);
    end;
    SetLength(S, K);
  end;

  { A number, true, false or null: its text. }
  function ReadScalar: UTF8String;
  var
    Start: Integer;
  begin
    Start := I;
    while (I <= N) and not (J[I] in [',', '}', ']', ' ', #9, #10, #13]) do
      Inc(I);
    Result := Copy(J, Start, I - Start);
  end;

  { An object or array: skipped. }
  procedure SkipNested;
  var
    Depth: Integer;
    Dummy: UTF8String;
  begin
    Depth := 0;
    while I <= N do
    begin
      case J[I] of
        '"':
          begin
            ReadString(Dummy);
            Continue;
          end;
        '{', '[': Inc(Depth);
        '}', ']':
          begin
            Dec(Depth);
            if Depth = 0 then
            begin
              Inc(I);
              Exit;
            end;
          end;
      end;
      Inc(I);
    end;
  end;

var
  Key, Value: UTF8String;
  IsString: Boolean;
begin
  I := 1;
  N := Length(J);
  SkipSpace;
  if (I > N) or (J[I] <> '{') then
    Exit;
  Inc(I);
  while True do
  begin
    SkipSpace;
    if (I > N) or (J[I] <> '"') or not ReadString(Key) then
      Exit;
    SkipSpace;
    if (I > N) or (J[I] <> ':') then
      Exit;
    Inc(I);
    SkipSpace;
    if I > N then
      Exit;
    IsString := J[I] = '"';
    Value := '';
    if IsString then
    begin
      if not ReadString(Value) then
        Exit;
    end
    else if J[I] in ['{', '['] then
      SkipNested
    else
      Value := ReadScalar;

    if Same(Key, 'name') then
      Info.Name := Value
    else if Same(Key, 'message') then
      Info.Message := Value
    else if Same(Key, 'message_tr') then
      Info.MessageTr := Value
    else if Same(Key, 'event') then
      Info.Event := Value
    else if Same(Key, 'server_error') then
      Info.ServerError := Value
    else if Same(Key, 'server_error_description') then
      Info.ServerErrorDescription := Value
    else if Same(Key, 'http_status') and not IsString then
      Info.HttpStatus := ToInt(Value)
    else if Same(Key, 'retryable') then
      Info.Retryable := Same(Value, 'true');

    SkipSpace;
    if (I > N) or (J[I] <> ',') then
      Exit;
    Inc(I);
  end;
end;

var
  TrlReady: Boolean;   { TeleradyolojiLoad succeeded (see Loading); never reset }

{ ---- Fork ------------------------------------------------------------- }

{$IFDEF TRL_PID_CHECK}
var
  LoadPid: TPid;            { this process, when the unit started }
  VersionSeen: UTF8String;  { trl_version's answer, for a forked child }
{$ENDIF}

{ Whether this process is a child forked (without exec) after the unit
  started. The library itself notices a fork through pthread_atfork, which
  only libc's fork() runs; Free Pascal's FpFork is a raw system call that
  skips it. So under Free Pascal on Unix the unit compares process ids, and
  in such a child answers TRL_E_FORKED itself, never entering the library.
  Elsewhere (Delphi for Linux forks through libc) the library answers. }
function InForkedChild: Boolean;
begin
{$IFDEF TRL_PID_CHECK}
  Result := FpGetPid <> LoadPid;
{$ELSE}
  Result := False;
{$ENDIF}
end;

const
  StatusNames: array[TRL_OK..TRL_E_FORKED] of PAnsiChar = ('TRL_OK',
    'TRL_E_INVALID_ARGUMENT', 'TRL_E_CONFIG', 'TRL_E_BAD_HANDLE', 'TRL_E_AUTH',
    'TRL_E_HTTP', 'TRL_E_NETWORK', 'TRL_E_TIMEOUT', 'TRL_E_PROTOCOL',
    'TRL_E_INTERNAL', 'TRL_E_FORKED');
  ForkedJson = '{"code":10,"name":"TRL_E_FORKED","message":"this process was ' +
    'forked (fork() without exec) after the library was loaded; the library''s ' +
    'Go runtime does not survive fork. Use the library only in the process ' +
    'that loaded it, or exec after fork","retryable":false}';

function StatusNameOf(Status: Integer): string;
var
  F: TTrlFpuState;
  P: PAnsiChar;
begin
  if InForkedChild {$IFDEF TRL_DYNAMIC}or not TrlReady{$ENDIF} then
  begin
    if (Status >= Low(StatusNames)) and (Status <= High(StatusNames)) then
      Result := string(AnsiString(StatusNames[Status]))
    else
      Result := 'TRL_E_UNKNOWN';
    Exit;
  end;
  TrlMaskFpu(F);
  try
    P := trl_status_name(Status);
  finally
    TrlRestoreFpu(F);
  end;
  Result := FromUtf8(Utf8From(P));
end;

function Joined(const A, Separator, B: string): string;
begin
  if A = '' then
    Result := B
  else
    Result := A + Separator + B;
end;

{ UTF-8 bytes written as %XX in ASCII text: the unit's source stays ASCII,
  which every Delphi and Free Pascal reads the same way. }
function Pct(const S: AnsiString): UTF8String;
var
  I, K: Integer;

  function HexDigit(C: AnsiChar): Integer;
  begin
    case C of
      '0'..'9': Result := Ord(C) - Ord('0');
      'A'..'F': Result := Ord(C) - Ord('A') + 10;
    else
      Result := 0;
    end;
  end;

begin
  SetLength(Result, Length(S));
  I := 1;
  K := 0;
  while I <= Length(S) do
  begin
    Inc(K);
    if (S[I] = '%') and (I + 2 <= Length(S)) then
    begin
      Result[K] := AnsiChar(HexDigit(S[I + 1]) * 16 + HexDigit(S[I + 2]));
      Inc(I, 3);
    end
    else
    begin
      Result[K] := S[I];
      Inc(I);
    end;
  end;
  SetLength(Result, K);
end;

{ The Turkish text of a status, for an error JSON without "message_tr". }
function StatusTurkish(Status: Integer): UTF8String;
begin
  case Status of
    TRL_E_INVALID_ARGUMENT: Result := Pct('K%C3%BCt%C3%BCphaneye ge%C3%A7ersiz bir de%C4%9Fer verildi (program hatas%C4%B1): HBYS firmas%C4%B1na bildirin.');
    TRL_E_CONFIG: Result := Pct('Ba%C4%9Flant%C4%B1 ayarlar%C4%B1 hatal%C4%B1: HBYS firmas%C4%B1na veya bilgi i%C5%9Flem birimine bildirin.');
    TRL_E_BAD_HANDLE: Result := Pct('Ba%C4%9Flant%C4%B1 nesnesi kapat%C4%B1lm%C4%B1%C5%9F veya ge%C3%A7ersiz (program hatas%C4%B1): HBYS firmas%C4%B1na bildirin.');
    TRL_E_AUTH: Result := Pct('e-Nab%C4%B1z %C5%9Fifresi veya kurum kodu hatal%C4%B1: OGN giri%C5%9F bilgilerini kabul etmedi.');
    TRL_E_HTTP: Result := Pct('Bakanl%C4%B1k sunucusu iste%C4%9Fi kabul etmedi.');
    TRL_E_NETWORK: Result := Pct('Bakanl%C4%B1k sunucusuna ula%C5%9F%C4%B1lam%C4%B1yor: a%C4%9F ba%C4%9Flant%C4%B1s%C4%B1n%C4%B1, g%C3%BCvenlik duvar%C4%B1n%C4%B1 ve vekil sunucu (proxy) ayar%C4%B1n%C4%B1 kontrol edin.');
    TRL_E_TIMEOUT: Result := Pct('Bakanl%C4%B1k sunucusu zaman%C4%B1nda yan%C4%B1t vermedi: a%C4%9F ba%C4%9Flant%C4%B1s%C4%B1n%C4%B1 kontrol edip yeniden deneyin.');
    TRL_E_PROTOCOL: Result := Pct('Bakanl%C4%B1k sunucusundan anla%C5%9F%C4%B1lamayan bir yan%C4%B1t geldi.');
  else
    Result := Pct('K%C3%BCt%C3%BCphanede beklenmeyen bir hata olu%C5%9Ftu: HBYS firmas%C4%B1na bildirin.');
  end;
end;

{ Raises ETeleradyolojiError for a failed call. HttpStatus and Response come
  from trl_call's out-parameters (0 and '' elsewhere). }
procedure RaiseError(Status: Integer; const ErrJson: UTF8String;
  HttpStatus: Integer = 0; const Response: UTF8String = '');
var
  Info: TTrlErrorInfo;
  E: ETeleradyolojiError;
  Name, Msg, Detail: string;
begin
  Info.HttpStatus := 0;
  Info.Retryable := False;
  ParseError(ErrJson, Info);
  if Length(Info.Name) > 0 then
    Name := FromUtf8(Info.Name)
  else
    Name := StatusNameOf(Status);
  if Info.HttpStatus = 0 then
    Info.HttpStatus := HttpStatus;
  { "TRL_E_AUTH: OGN refused the credentials (HTTP 400, invalid_grant: ...)" }
  Msg := Name;
  if Length(Info.Message) > 0 then
    Msg := Msg + ': ' + FromUtf8(Info.Message);
  Detail := '';
  if Info.HttpStatus <> 0 then
    Detail := 'HTTP ' + string(IntToStr(Info.HttpStatus));
  if Length(Info.ServerError) > 0 then
    Detail := Joined(Detail, ', ', FromUtf8(Info.ServerError));
  if Length(Info.ServerErrorDescription) > 0 then
    Detail := Joined(Detail, ': ', FromUtf8(Info.ServerErrorDescription));
  if Detail <> '' then
    Msg := Msg + ' (' + Detail + ')';
{$IF defined(FPC) and defined(UNICODE)}
  E := ETeleradyolojiError.Create(AnsiString(Msg));   { Free Pascal's Exception.Message is AnsiString }
{$ELSE}
  E := ETeleradyolojiError.Create(Msg);
{$IFEND}
  E.FStatus := Status;
  E.FStatusName := Name;
  E.FHttpStatus := Info.HttpStatus;
  E.FServerError := FromUtf8(Info.ServerError);
  E.FServerErrorDescription := FromUtf8(Info.ServerErrorDescription);
  E.FRetryable := Info.Retryable;
  E.FResponse := FromUtf8(Response);
  E.FMessageTr := FromUtf8(Info.MessageTr);
  if E.FMessageTr = '' then
    E.FMessageTr := FromUtf8(StatusTurkish(Status));
  raise E;
end;

{ Raises TRL_E_FORKED in a child that FpFork made (see InForkedChild). }
procedure RaiseIfForked;
begin
  if InForkedChild then
    RaiseError(TRL_E_FORKED, Utf8From(ForkedJson));
end;

{ ---- Loading ---------------------------------------------------------- }

procedure RaiseLoadError(const Msg: string);
begin
  RaiseError(TRL_E_CONFIG, Utf8From('{"name":"TRL_E_CONFIG","message":') + JsonString(Msg) +
    Utf8From(',"retryable":false}'));
end;

{$IFDEF TRL_DYNAMIC}
{$IFDEF MSWINDOWS}
type
  TTrlLibHandle = HMODULE;

{ The Go runtime inside needs ProcessPrng (Windows 10 / Server 2016+); where
  it is missing, loading the library would end the whole process. Looked up
  in the system folder's bcryptprimitives.dll, never the application's. }
function HasProcessPrng: Boolean;
var
  Dir: array[0..MAX_PATH] of Char;
  N: Cardinal;
  H: HMODULE;
  Path: string;
begin
  Result := False;
  N := GetSystemDirectory(Dir, MAX_PATH);
  if (N = 0) or (N >= MAX_PATH) then
    Exit;
  Path := string(Dir) + '\bcryptprimitives.dll';
  H := GetModuleHandle(PChar(Path));
  if H = 0 then
    H := LoadLibrary(PChar(Path));   { a system DLL; kept, as Go would }
  Result := (H <> 0) and (GetProcAddress(H, PAnsiChar('ProcessPrng')) <> nil);
end;

function OpenLibrary(const Path: string; out Why: string): TTrlLibHandle;
var
  Code: Cardinal;
begin
  Result := LoadLibrary(PChar(Path));
  if Result <> 0 then
    Exit;
  Code := GetLastError;
  Why := 'error ' + string(IntToStr(Code)) + ': ' + Trim(SysErrorMessage(Code));
  case Code of
    126: Why := Why + ' (the file, or teleradyoloji-core.dll beside it, is missing)';
    193: Why := Why + ' (wrong bitness: a 32-bit EXE needs the x86 teleradyoloji.dll, ' +
      'a 64-bit EXE the x64 one)';
  end;
end;

function Symbol(H: TTrlLibHandle; Name: PAnsiChar): Pointer;
begin
  Result := GetProcAddress(H, Name);
end;

function DefaultLibraryPath: string;
begin
  Result := ExtractFilePath(GetModuleName(HInstance)) + TeleradyolojiLibrary;
end;
{$ELSE}
  {$IFDEF FPC}
type
  TTrlLibHandle = TLibHandle;

function OpenLibrary(const Path: string; out Why: string): TTrlLibHandle;
begin
  Result := LoadLibrary(Path);
  if Result = NilHandle then
    Why := string(GetLoadErrorStr);
end;

function Symbol(H: TTrlLibHandle; Name: PAnsiChar): Pointer;
begin
  Result := GetProcedureAddress(H, AnsiString(Name));
end;
  {$ELSE}
type
  TTrlLibHandle = HMODULE;   { Delphi for Linux/macOS: SysUtils' dlopen wrappers }

function OpenLibrary(const Path: string; out Why: string): TTrlLibHandle;
begin
  Result := LoadLibrary(PChar(Path));
  if Result = 0 then
    Why := 'dlopen failed';
end;

function Symbol(H: TTrlLibHandle; Name: PAnsiChar): Pointer;
begin
  Result := GetProcAddress(H, PChar(string(AnsiString(Name))));
end;
  {$ENDIF}

function DefaultLibraryPath: string;
begin
  Result := TeleradyolojiLibrary;   { the loader's search: rpath, LD_LIBRARY_PATH, ... }
end;
{$ENDIF}

procedure LoadDynamic(const LibraryPath: string);
var
  H: TTrlLibHandle;
  Path, Why: string;
  Missing: string;
  F: TTrlFpuState;
  Abi: Integer;

  function Get(Name: PAnsiChar): Pointer;
  begin
    Result := Symbol(H, Name);
    if Result = nil then
      Missing := Joined(Missing, ', ', string(AnsiString(Name)));
  end;

begin
{$IFDEF MSWINDOWS}
  if not HasProcessPrng then
    RaiseLoadError('teleradyoloji needs Windows 10 / Server 2016 or later: this Windows has no ' +
      'ProcessPrng in bcryptprimitives.dll, which the library''s Go runtime needs (loading it ' +
      'here would end the whole process, so it was not loaded). / teleradyoloji: Windows 10 ' +
      'veya ' + FromUtf8(Utf8From(#$C3#$BC'st'#$C3#$BC)) + ' gerekir.');
{$ENDIF}
  Path := LibraryPath;
  if Path = '' then
    Path := DefaultLibraryPath;
  Why := '';
  H := OpenLibrary(Path, Why);   { never freed: the Go runtime inside must stay }
  if H = 0 then
    RaiseLoadError('cannot load ' + Path + ': ' + Why);
  Missing := '';
  TrlMaskFpu(F);
  try
    @trl_abi_version := Get('trl_abi_version');
    @trl_version := Get('trl_version');
    @trl_status_name := Get('trl_status_name');
    @trl_free := Get('trl_free');
    @trl_client_new := Get('trl_client_new');
    @trl_client_close := Get('trl_client_close');
    @trl_service_token := Get('trl_service_token');
    @trl_viewer_token := Get('trl_viewer_token');
    @trl_post_otac := Get('trl_post_otac');
    @trl_build_viewer_url := Get('trl_build_viewer_url');
    @trl_viewer_url := Get('trl_viewer_url');
    @trl_call := Get('trl_call');
    @trl_call_bytes := Get('trl_call_bytes');
    @trl_set_log := Get('trl_set_log');
    @trl_diagnose := Get('trl_diagnose');
    @trl_prefetch_viewer_token := Get('trl_prefetch_viewer_token');
    if (Missing = '') then
      Abi := trl_abi_version
    else
      Abi := -1;
  finally
    TrlRestoreFpu(F);
  end;
  if Missing <> '' then
    RaiseLoadError(Path + ' is not this version of teleradyoloji: it lacks ' + Missing);
  if Abi <> TeleradyolojiAbi then
    RaiseLoadError(Path + ' answers ABI version ' + string(IntToStr(Abi)) + ', but this unit needs ' +
      string(IntToStr(TeleradyolojiAbi)) + ': use the Teleradyoloji.pas of the same release as the library');
end;
{$ENDIF}

procedure TeleradyolojiLoad(const LibraryPath: string);
{$IFNDEF TRL_DYNAMIC}
var
  F: TTrlFpuState;
  Abi: Integer;
{$ENDIF}
begin
  if TrlReady then
    Exit;
  RaiseIfForked;
{$IFDEF TRL_DYNAMIC}
  LoadDynamic(LibraryPath);
{$ELSE}
  TrlMaskFpu(F);
  try
    Abi := trl_abi_version;
  finally
    TrlRestoreFpu(F);
  end;
  if Abi <> TeleradyolojiAbi then
    RaiseLoadError(TeleradyolojiLibrary + ' answers ABI version ' + string(IntToStr(Abi)) +
      ', but this unit needs ' + string(IntToStr(TeleradyolojiAbi)) +
      ': use the Teleradyoloji.pas of the same release as the library');
{$ENDIF}
  TrlReady := True;
end;

procedure EnsureLoaded;
begin
  if not TrlReady then
    TeleradyolojiLoad('');
end;

function ToToken(const Value: UTF8String; ExpiresAtUnix: Int64): TTeleradyolojiToken;
const
  UnixEpoch = 25569.0;   { 1970-01-01 as a TDateTime }
begin
  Result.Value := FromUtf8(Value);
  if ExpiresAtUnix = 0 then
    Result.ExpiresAt := 0
  else
    Result.ExpiresAt := UnixEpoch + ExpiresAtUnix / SecsPerDay;
end;

{ ---- Library ---------------------------------------------------------- }

function TeleradyolojiVersion: string;
var
  F: TTrlFpuState;
  P: PAnsiChar;
begin
{$IFDEF TRL_PID_CHECK}
  if InForkedChild then
  begin
    Result := FromUtf8(VersionSeen);
    Exit;
  end;
{$ENDIF}
  EnsureLoaded;
  TrlMaskFpu(F);
  try
    P := trl_version;
  finally
    TrlRestoreFpu(F);
  end;
{$IFDEF TRL_PID_CHECK}
  VersionSeen := Utf8From(P);
{$ENDIF}
  Result := FromUtf8(Utf8From(P));
end;

function TeleradyolojiAbiVersion: Integer;
var
  F: TTrlFpuState;
begin
  if InForkedChild then
  begin
    Result := TeleradyolojiAbi;   { as the library answers there }
    Exit;
  end;
  EnsureLoaded;
  TrlMaskFpu(F);
  try
    Result := trl_abi_version;
  finally
    TrlRestoreFpu(F);
  end;
end;

function TeleradyolojiStatusName(Status: Integer): string;
begin
  Result := StatusNameOf(Status);
end;

{ ---- TTeleradyolojiClient ---------------------------------------------- }

constructor TTeleradyolojiClient.Create(const ConfigJson: string);
begin
  inherited Create;
  Open(ToUtf8(ConfigJson));
end;

constructor TTeleradyolojiClient.CreateWith(const InstitutionCode, Password,
  ApplicationCode: string; const OgnUrl: string; const ApiUrl: string;
  const ViewerUrl: string);
begin
  inherited Create;
  OpenWith(ToUtf8(InstitutionCode), ToUtf8(Password), ToUtf8(ApplicationCode),
    ToUtf8(OgnUrl), ToUtf8(ApiUrl), ToUtf8(ViewerUrl));
end;

constructor TTeleradyolojiClient.CreateWithUtf8(const InstitutionCode, Password,
  ApplicationCode: UTF8String; const OgnUrl: UTF8String; const ApiUrl: UTF8String;
  const ViewerUrl: UTF8String);
begin
  inherited Create;
  OpenWith(InstitutionCode, Password, ApplicationCode, OgnUrl, ApiUrl, ViewerUrl);
end;

procedure TTeleradyolojiClient.OpenWith(const InstitutionCode, Password,
  ApplicationCode, OgnUrl, ApiUrl, ViewerUrl: UTF8String);
var
  J: UTF8String;
begin
  J := Member('institution_code', InstitutionCode) +
    Member('password', Password) +
    Member('application_code', ApplicationCode);
  if OgnUrl <> '' then
    J := J + Member('ogn_url', OgnUrl);
  if ApiUrl <> '' then
    J := J + Member('api_url', ApiUrl);
  if ViewerUrl <> '' then
    J := J + Member('viewer_url', ViewerUrl);
  J[1] := '{';   { the first member's comma }
  Open(J + Utf8From('}'));
end;

procedure TTeleradyolojiClient.Open(const ConfigUtf8: UTF8String);
var
  F: TTrlFpuState;
  St: Integer;
  H: TTrlClient;
  PErr: PAnsiChar;
  E: UTF8String;
begin
  RaiseIfForked;
  EnsureLoaded;
  H := 0;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_client_new(PAnsiChar(ConfigUtf8), @H, @PErr);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  FHandle := H;
end;

destructor TTeleradyolojiClient.Destroy;
var
  F: TTrlFpuState;
begin
  if (FHandle <> 0) and not InForkedChild then
  begin
    TrlMaskFpu(F);
    try
      trl_client_close(FHandle);   { BAD_HANDLE (already closed) and FORKED (a forked
                                     child's copy of the parent's client) are ignored }
    finally
      TrlRestoreFpu(F);
    end;
  end;
  FHandle := 0;   { in a forked child: the parent's client, nothing to close here }
  inherited Destroy;
end;

function TTeleradyolojiClient.ServiceToken: TTeleradyolojiToken;
var
  F: TTrlFpuState;
  St: Integer;
  PTok, PErr: PAnsiChar;
  Exp: Int64;
  Tok, E: UTF8String;
begin
  RaiseIfForked;
  PTok := nil;
  PErr := nil;
  Exp := 0;
  TrlMaskFpu(F);
  try
    St := trl_service_token(FHandle, @PTok, @Exp, @PErr);
    Tok := Take(PTok);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := ToToken(Tok, Exp);
end;

function TTeleradyolojiClient.ViewerToken(const DoctorTC,
  PatientTC: string): TTeleradyolojiToken;
var
  F: TTrlFpuState;
  St: Integer;
  D, P, Tok, E: UTF8String;
  PTok, PErr: PAnsiChar;
  Exp: Int64;
begin
  D := ToUtf8(DoctorTC);
  P := ToUtf8(PatientTC);
  RaiseIfForked;
  PTok := nil;
  PErr := nil;
  Exp := 0;
  TrlMaskFpu(F);
  try
    St := trl_viewer_token(FHandle, PAnsiChar(D), PAnsiChar(P), @PTok, @Exp, @PErr);
    Tok := Take(PTok);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := ToToken(Tok, Exp);
end;

function TTeleradyolojiClient.PostOtac(const Token, Accession: string): string;
var
  F: TTrlFpuState;
  St: Integer;
  T, A, Otac, E: UTF8String;
  POtac, PErr: PAnsiChar;
begin
  T := ToUtf8(Token);
  A := ToUtf8(Accession);
  RaiseIfForked;
  POtac := nil;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_post_otac(FHandle, PAnsiChar(T), PAnsiChar(A), @POtac, @PErr);
    Otac := Take(POtac);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := FromUtf8(Otac);
end;

function TTeleradyolojiClient.BuildViewerUrl(const Otac: string): string;
var
  F: TTrlFpuState;
  St: Integer;
  O, Url, E: UTF8String;
  PUrl, PErr: PAnsiChar;
begin
  O := ToUtf8(Otac);
  RaiseIfForked;
  PUrl := nil;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_build_viewer_url(FHandle, PAnsiChar(O), @PUrl, @PErr);
    Url := Take(PUrl);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := FromUtf8(Url);
end;

function TTeleradyolojiClient.ViewerUrl(const Accession, DoctorTC,
  PatientTC: string): string;
var
  F: TTrlFpuState;
  St: Integer;
  A, D, P, Url, E: UTF8String;
  PUrl, PErr: PAnsiChar;
begin
  A := ToUtf8(Accession);
  D := ToUtf8(DoctorTC);
  P := ToUtf8(PatientTC);
  RaiseIfForked;
  PUrl := nil;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_viewer_url(FHandle, PAnsiChar(A), PAnsiChar(D), PAnsiChar(P),
      @PUrl, @PErr);
    Url := Take(PUrl);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := FromUtf8(Url);
end;

procedure TTeleradyolojiClient.PrefetchViewerToken(const DoctorTC,
  PatientTC: string);
var
  F: TTrlFpuState;
  St: Integer;
  D, P, E: UTF8String;
  PErr: PAnsiChar;
begin
  D := ToUtf8(DoctorTC);
  P := ToUtf8(PatientTC);
  RaiseIfForked;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_prefetch_viewer_token(FHandle, PAnsiChar(D), PAnsiChar(P), @PErr);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
end;

{ trl_call_bytes; both library buffers are released whatever happens. }
function TTeleradyolojiClient.CallRaw(const Method, Path, JsonBody: string;
  out HttpStatus: Integer): TTeleradyolojiBytes;
var
  F: TTrlFpuState;
  St, Status: Integer;
  M, P, B, E: UTF8String;
  PBody, PErr: PAnsiChar;
  Len: Int64;
begin
  M := ToUtf8(Method);
  P := ToUtf8(Path);
  B := ToUtf8(JsonBody);
  Status := 0;
  Len := 0;
  RaiseIfForked;
  PBody := nil;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_call_bytes(FHandle, PAnsiChar(M), PAnsiChar(P), PAnsiChar(B),
      @Status, @PBody, @Len, @PErr);
    try
      Result := TakeBytes(PBody, Len);
    finally
      E := Take(PErr);
    end;
  finally
    TrlRestoreFpu(F);
  end;
  HttpStatus := Status;
  if St <> TRL_OK then
    RaiseError(St, E, Status, Utf8Sanitized(Result));
end;

function TTeleradyolojiClient.Call(const Method, Path, JsonBody: string): string;
var
  HttpStatus, Bad: Integer;
  Body: TTeleradyolojiBytes;
begin
  Body := CallRaw(Method, Path, JsonBody, HttpStatus);
  Bad := FirstInvalidUtf8(Body);
  if Bad > 0 then
    RaiseError(TRL_E_PROTOCOL, Utf8From('{"name":"TRL_E_PROTOCOL","message":') +
      JsonString('the answer is not UTF-8 text (byte 0x' + LowerCase(IntToHex(Ord(Body[Bad]), 2)) +
      ' at offset ' + IntToStr(Bad - 1) + '); CallBytes returns it as bytes') + Utf8From('}'),
      HttpStatus);
  Result := FromUtf8(BytesAsUtf8(Body));
end;

function TTeleradyolojiClient.CallBytes(const Method, Path,
  JsonBody: string): TTeleradyolojiBytes;
var
  HttpStatus: Integer;
begin
  Result := CallRaw(Method, Path, JsonBody, HttpStatus);
end;


function TTeleradyolojiClient.Diagnose: string;
var
  F: TTrlFpuState;
  St: Integer;
  Report, E: UTF8String;
  PReport, PErr: PAnsiChar;
begin
  PReport := nil;
  PErr := nil;
  TrlMaskFpu(F);
  try
    St := trl_diagnose(FHandle, @PReport, @PErr);
    Report := Take(PReport);
    E := Take(PErr);
  finally
    TrlRestoreFpu(F);
  end;
  if St <> TRL_OK then
    RaiseError(St, E);
  Result := FromUtf8(Report);
end;

{ ---- Logging ----------------------------------------------------------- }

type
  { What the library's thread calls: one per TeleradyolojiSetLog, freed once
    the library has let go of it. }
  PTrlLogTarget = ^TTrlLogTarget;
  TTrlLogTarget = record
    Handler: TTeleradyolojiLogEvent;
  end;

  { SyncObjs' lock class. Qualified for Free Pascal, whose Windows unit has a
    record of that name; Delphi XE2+ accepts no short unit name as a
    qualifier (it wants System.SyncObjs), so Delphi relies on the uses order. }
{$IFDEF FPC}
  TTrlLock = SyncObjs.TCriticalSection;
{$ELSE}
  TTrlLock = TCriticalSection;
{$ENDIF}

var
  LogLock: TTrlLock;
  LogTarget: PTrlLogTarget;

{ Runs on the library's delivery thread, for each event. }
procedure LogTrampoline(UserData: Pointer; Level: Integer; EventJson: PAnsiChar); cdecl;
var
  T: PTrlLogTarget;
  J: UTF8String;
  Info: TTrlErrorInfo;
begin
  try
    T := UserData;
    if (T = nil) or not Assigned(T^.Handler) or (EventJson = nil) then
      Exit;
    J := Utf8From(EventJson);
    Info.HttpStatus := 0;
    Info.Retryable := False;
    ParseError(J, Info);
    T^.Handler(Level, FromUtf8(Info.Event), FromUtf8(Info.Message), FromUtf8(J));
  except
    { never into the library's thread }
  end;
end;

procedure TeleradyolojiSetLog(Handler: TTeleradyolojiLogEvent; MaxLevel: Integer);
var
  F: TTrlFpuState;
  OldTarget, NewTarget: PTrlLogTarget;
  St: Integer;
begin
  EnsureLoaded;   { with TELERADYOLOJI_DYNAMIC, trl_set_log is filled here }
  NewTarget := nil;
  if Assigned(Handler) then
  begin
    IsMultiThread := True;   { the handler runs on another thread }
    New(NewTarget);
    NewTarget^.Handler := Handler;
  end;
  LogLock.Enter;
  try
    TrlMaskFpu(F);
    try
      if NewTarget <> nil then
        St := trl_set_log(LogTrampoline, NewTarget, MaxLevel)
      else
        St := trl_set_log(nil, nil, 0);
    finally
      TrlRestoreFpu(F);
    end;
    if St <> TRL_OK then
    begin
      if NewTarget <> nil then
        Dispose(NewTarget);
      RaiseError(St, '');
    end;
    OldTarget := LogTarget;   { the library no longer calls with it }
    LogTarget := NewTarget;
  finally
    LogLock.Leave;
  end;
  if OldTarget <> nil then
    Dispose(OldTarget);
end;

initialization
{$IFDEF TRL_PID_CHECK}
  LoadPid := FpGetPid;
{$ENDIF}
  LogLock := TTrlLock.Create;

finalization
  if LogTarget <> nil then
  try
    TeleradyolojiSetLog(nil);
  except
    { a forked child: the library is not usable there }
  end;
  LogLock.Free;

end.
