{ Tests of the Teleradyoloji unit against the sandbox (TRL_SANDBOX_URL).
  mk/delphi.mk builds it three times with Free Pascal: -Mdelphi (AnsiString,
  like Delphi 7), the same with -dTRL_TEST_CWSTRING (the cwstring unit does
  the code-page conversions instead of Free Pascal's byte copies), and
  -Mdelphiunicode -dTRL_TEST_CWSTRING (UnicodeString, like Delphi 2009+).
  mk/wine-delphi.mk cross-compiles it for Win32 and Win64 (static import
  and TELERADYOLOJI_DYNAMIC) and runs it under Wine beside the DLL pair.
  Prints failures (every check with -v), then "N passed, M failed"; exits 1
  on a failure. No token, OTAC, viewer
  URL or password is ever printed: details go through Redact. }
program TeleradyolojiTests;

{$IFNDEF UNICODE}{$MODE DELPHI}{$ENDIF}
{$CODEPAGE UTF8}
{$WARN 4104 OFF}{$WARN 4105 OFF}{$WARN 4106 OFF}{$WARN 4107 OFF}   { implicit string conversions: intended here }

uses
  {$IFDEF UNIX}cthreads, BaseUnix,{$ENDIF}
  {$IFDEF TRL_TEST_CWSTRING}cwstring,{$ENDIF}
  {$IFDEF MSWINDOWS}Windows,{$ENDIF}   { first: SysUtils and SyncObjs names win }
  SysUtils, DateUtils, Classes, SyncObjs, Process, Sockets, fphttpclient, fpjson, jsonparser,
  Teleradyoloji;

const
  Password = 'Gizli-Parola-2026!';
  WrongPassword = 'Yanlis-Parola-42';
  Turkish = 'İŞÇĞÜÖ ığüşçö';
  DoctorTC = '12345678901';
  PatientTC = '98765432109';
  { Delphi's old default x87 control word (before RAD Studio 12) and its
    Win64 MXCSR: invalid, zero-divide and overflow unmasked. }
  DelphiX87 = $1332;
  DelphiMXCSR = $1900;

type
  { Text compared byte for byte: UTF-8 for UnicodeString (an exact
    conversion), the bytes as they are for AnsiString (see Normal). }
{$IFDEF UNICODE}
  TBytesText = UTF8String;
{$ELSE}
  TBytesText = RawByteString;
{$ENDIF}

var
  Base: string;
  Verbose: Boolean;
  Passed, Failed: Integer;
  Secrets: array of string;

{ ---- Reporting ---------------------------------------------------------- }

{ S as compared. A Windows AnsiString is tagged with its code page (ANSI
  for literals, the unit's answers and Free Pascal's Exception.Message,
  UTF-8 for some) and keeps it when passed here: compared as UTF-8. }
function Normal(const S: TBytesText): TBytesText;
begin
{$IFDEF MSWINDOWS}
  Result := UTF8Encode(UnicodeString(S));
{$ELSE}
  Result := S;
{$ENDIF}
end;

function Contains(const Hay, Needle: TBytesText): Boolean;
begin
  Result := (Needle <> '') and (Pos(Normal(Needle), Normal(Hay)) > 0);
end;

function SameBytes(const A, B: TBytesText): Boolean;
var
  I: Integer;
  X, Y: TBytesText;
begin
  X := Normal(A);
  Y := Normal(B);
  Result := Length(X) = Length(Y);
  for I := 1 to Length(X) do
    if Result and (X[I] <> Y[I]) then
      Result := False;
end;

procedure NoteSecret(const S: string);
begin
  if S = '' then
    Exit;
  SetLength(Secrets, Length(Secrets) + 1);
  Secrets[High(Secrets)] := S;
end;

function Redact(const S: string): string;
var
  I: Integer;
begin
  Result := S;
  for I := 0 to High(Secrets) do
    Result := StringReplace(Result, Secrets[I], '<secret>', [rfReplaceAll]);
end;

function LeaksSecret(const S: string): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 0 to High(Secrets) do
    if Contains(S, Secrets[I]) then
      Result := True;
end;

procedure Check(const Name: string; Ok: Boolean; const Detail: string = '');
begin
  if Ok then
  begin
    Inc(Passed);
    if Verbose then
      WriteLn('ok   ', Name);
  end
  else
  begin
    Inc(Failed);
    if Detail <> '' then
      WriteLn('FAIL ', Name, ': ', Redact(Detail))
    else
      WriteLn('FAIL ', Name);
  end;
end;

procedure NoRaise(const Name: string);
begin
  Check(Name, False, 'no exception raised');
end;

{ Checks a caught exception: an ETeleradyolojiError with that status (and
  HTTP status, when HttpStatus >= 0) whose texts leak no secret. }
function ExpectError(const Name: string; E: Exception; Status: Integer;
  HttpStatus: Integer = -1): ETeleradyolojiError;
var
  T: ETeleradyolojiError;
begin
  Result := nil;
  if not (E is ETeleradyolojiError) then
  begin
    Check(Name, False, E.ClassName + ': ' + E.Message);
    Exit;
  end;
  T := ETeleradyolojiError(E);
  Check(Name + ': status ' + TeleradyolojiStatusName(Status), T.Status = Status,
    'got ' + IntToStr(T.Status) + ' ' + T.Message);
  if HttpStatus >= 0 then
    Check(Name + ': HTTP ' + IntToStr(HttpStatus), T.HttpStatus = HttpStatus,
      'got ' + IntToStr(T.HttpStatus));
  Check(Name + ': no secret in the error',
    not LeaksSecret(T.Message) and not LeaksSecret(T.ServerErrorDescription) and
    not LeaksSecret(T.Response), T.Message);
  Check(Name + ': message names the status',
    Contains(T.Message, TeleradyolojiStatusName(Status)), T.Message);
  Check(Name + ': a Turkish message', (T.MessageTr <> '') and (T.MessageTr <> T.Message));
  Result := T;
end;

{ ---- Sandbox control (fphttpclient, outside the library) ----------------- }

{ Bodies travel as UTF-8 bytes, whatever the string type. }
function Http(const Method, Url: string; const Body: TBytesText;
  out Status: Integer): TBytesText;
var
  C: TFPHTTPClient;
  Req, Resp: TMemoryStream;
begin
  C := TFPHTTPClient.Create(nil);
  Req := TMemoryStream.Create;
  Resp := TMemoryStream.Create;
  try
    if Body <> '' then
    begin
      Req.WriteBuffer(Body[1], Length(Body));
      Req.Position := 0;
      C.RequestBody := Req;
      C.AddHeader('Content-Type', 'application/json');
    end;
    C.HTTPMethod(Method, Url, Resp, []);
    Status := C.ResponseStatusCode;
    SetLength(Result, Resp.Size);
    if Resp.Size > 0 then
      Move(Resp.Memory^, Result[1], Resp.Size);
{$IF defined(MSWINDOWS) and not defined(UNICODE)}
    SetCodePage(RawByteString(Result), CP_UTF8, False);   { the bytes are UTF-8 (see Normal) }
{$IFEND}
  finally
    C.Free;
    Req.Free;
    Resp.Free;
  end;
end;

function Control(const Path: string; const Body: string = '{}'): string;
var
  Status: Integer;
begin
  Result := Http('POST', Base + Path, Body, Status);
  if Status <> 200 then
    raise Exception.Create('sandbox ' + Path + ' answered ' + IntToStr(Status));
end;

procedure Reset;
begin
  Control('/_sandbox/reset');
end;

function RawStats: string;
var
  Status: Integer;
begin
  Result := Http('GET', Base + '/_sandbox/stats', '', Status);
end;

{ A value from /_sandbox/stats by path, e.g. 'last_otac_request.body'. }
function Stat(const Path: string): string;
var
  D, V: TJSONData;
begin
  D := GetJSON(RawStats);
  try
    V := D.FindPath(Path);
    if V = nil then
      Result := ''
    else
      Result := V.AsString;
  finally
    D.Free;
  end;
end;

function StatInt(const Path: string): Integer;
begin
  Result := StrToIntDef(Stat(Path), -1);
end;

{ A string field of a JSON text ('' if absent). }
function JsonField(const Json, Path: string): string;
var
  D, V: TJSONData;
begin
  Result := '';
  D := GetJSON(Json);
  try
    V := D.FindPath(Path);
    if (V <> nil) and not (V.JSONType in [jtNull, jtObject, jtArray]) then
      Result := V.AsString;
  finally
    D.Free;
  end;
end;

{ Opens a viewer URL the way the viewer page does:
  GET /viewer/api/open?otac=<the fragment's otac>. }
function OpenViewer(const Url: string; out Body: string): Integer;
var
  P: Integer;
begin
  P := Pos('otac=', Url);
  Body := Http('GET', Base + '/viewer/api/open?otac=' + Copy(Url, P + 5, MaxInt), '', Result);
end;

function SandboxConfig(const Extra: string = ''): string;
begin
  Result := '{"institution_code":"1234567","password":"' + Password +
    '","application_code":"SANDBOX-HIS","ogn_url":"' + Base +
    '","api_url":"' + Base + '/integrationapi","viewer_url":"' + Base +
    '/viewer/","timeout_ms":5000' + Extra + '}';
end;

function NewClient(const Extra: string = ''): TTeleradyolojiClient;
begin
  Result := TTeleradyolojiClient.Create(SandboxConfig(Extra));
end;

function NowUnix: Int64;
begin
  Result := DateTimeToUnix(LocalTimeToUniversal(Now));
end;

{ A loopback port nobody listens on: bound, then closed. }
function ClosedPort: Integer;
var
  S: TSocket;
  A: TInetSockAddr;
  L: TSockLen;
begin
  S := fpSocket(AF_INET, SOCK_STREAM, 0);
  FillChar(A, SizeOf(A), 0);
  A.sin_family := AF_INET;
  A.sin_addr := StrToNetAddr('127.0.0.1');
  fpBind(S, @A, SizeOf(A));
  L := SizeOf(A);
  fpGetSockName(S, @A, @L);
  Result := ntohs(A.sin_port);
  CloseSocket(S);
end;

{ x87 control word, read and written exactly (FPC's Set8087CW forces
  extended precision on x86-64). }
function GetX87: Word;
var
  W: Word;
begin
  asm
    fnstcw W
  end;
  Result := W;
end;

procedure SetX87(W: Word);
var
  V: Word;
begin
  V := W;
  asm
    fnclex
    fldcw V
  end;
end;

{ ---- Tests --------------------------------------------------------------- }

{$IFDEF TELERADYOLOJI_DYNAMIC}
{ Run-time loading (TELERADYOLOJI_DYNAMIC), before anything loads the real
  library: a missing file, a 32-bit library in a 64-bit process (the wrong
  bitness), a library without a function and one with another ABI each
  raise ETeleradyolojiError with TRL_E_CONFIG and a message that says so;
  none of them is remembered, and then the real library loads. The fakes are
  in TRL_FAKE_LIBS (mk/delphi.mk builds them from tests/fake_library.c). }
procedure TestDynamicLoading;
var
  Fakes: string;

  procedure Refused(const Name, Path, Want: string);
  begin
    try
      TeleradyolojiLoad(Path);
      NoRaise(Name);
    except
      on E: Exception do
        with ExpectError(Name, E, TRL_E_CONFIG) do
          Check(Name + ' says why', Contains(Message, Want), Message);
    end;
  end;

begin
  Fakes := GetEnvironmentVariable('TRL_FAKE_LIBS');
  Check('TRL_FAKE_LIBS is set', Fakes <> '');
  Check('status names answer before loading', TeleradyolojiStatusName(TRL_E_AUTH) = 'TRL_E_AUTH');
{$IFDEF MSWINDOWS}
  { LoadLibrary's errors: 126 for a missing file, 193 for the other
    bitness's teleradyoloji.dll (mk/wine-delphi.mk copies it there). }
  Refused('missing DLL', Fakes + '\no-such-teleradyoloji.dll', 'error 126');
  Refused('missing DLL: the message', Fakes + '\no-such-teleradyoloji.dll',
    'teleradyoloji-core.dll beside it, is missing');
  Refused('wrong bitness', Fakes + '\other-bitness\teleradyoloji.dll', 'error 193');
  Refused('wrong bitness: the message', Fakes + '\other-bitness\teleradyoloji.dll',
    {$IFDEF CPU64}'a 64-bit EXE the x64 one'{$ELSE}'a 32-bit EXE needs the x86'{$ENDIF});
  Refused('missing function', Fakes + '\trl-no-call-bytes.dll', 'lacks trl_call_bytes');
  Refused('wrong ABI', Fakes + '\trl-abi2.dll', 'ABI version 2');
  TeleradyolojiLoad;   { the real one: teleradyoloji.dll beside the EXE }
{$ELSE}
  Refused('missing library', Fakes + '/no-such-libteleradyoloji.so', 'no-such-libteleradyoloji.so');
  Refused('wrong bitness', Fakes + '/libtrl-32bit.so', 'ELFCLASS32');
  Refused('missing function', Fakes + '/libtrl-no-call-bytes.so', 'lacks trl_call_bytes');
  Refused('wrong ABI', Fakes + '/libtrl-abi2.so', 'ABI version 2');
  TeleradyolojiLoad;   { the real one, by the loader's search (rpath) }
{$ENDIF}
  Check('then the real library loads', TeleradyolojiAbiVersion = TeleradyolojiAbi);
  TeleradyolojiLoad('/ignored/once/loaded.so');
  Check('loaded once: later paths are ignored', TeleradyolojiVersion <> '0.0.0-fake');
end;
{$ENDIF}

procedure TestLibrary;
begin
  Check('TeleradyolojiVersion', Pos('.', TeleradyolojiVersion) > 1, TeleradyolojiVersion);
  Check('TeleradyolojiAbiVersion', TeleradyolojiAbiVersion = TeleradyolojiAbi);
  Check('TeleradyolojiStatusName', TeleradyolojiStatusName(TRL_E_AUTH) = 'TRL_E_AUTH');
  Check('TeleradyolojiStatusName unknown', TeleradyolojiStatusName(999) = 'TRL_E_UNKNOWN');
  Check('TRL_E_FORKED is 10 and named so', (TRL_E_FORKED = 10) and
    (TeleradyolojiStatusName(TRL_E_FORKED) = 'TRL_E_FORKED'));
end;

procedure TestServiceToken;
var
  C: TTeleradyolojiClient;
  T, T2: TTeleradyolojiToken;
  Left: Int64;
begin
  Reset;
  C := NewClient;
  try
    T := C.ServiceToken;
    NoteSecret(T.Value);
    Check('ServiceToken: a value', Length(T.Value) > 10);
    Left := DateTimeToUnix(T.ExpiresAt) - NowUnix;
    Check('ServiceToken: ExpiresAt is UTC now + expires_in (3600 s)',
      (Left > 3590) and (Left <= 3601), IntToStr(Left) + ' s left');
    T2 := C.ServiceToken;
    Check('ServiceToken: cached', SameBytes(T.Value, T2.Value) and
      (StatInt('service_token_requests') = 1), Stat('service_token_requests'));
    Check('ServiceToken: credentials on the wire',
      (Stat('last_token_form.UserName') = '1234567') and
      (Stat('last_token_form.Password') = '<ok>') and
      (Stat('last_token_form.ApplicationCode') = 'SANDBOX-HIS'));
  finally
    C.Free;
  end;

  Reset;
  Control('/_sandbox/config', '{"expires_in":120}');
  C := NewClient;
  try
    T := C.ServiceToken;
    NoteSecret(T.Value);
    Left := DateTimeToUnix(T.ExpiresAt) - NowUnix;
    Check('ServiceToken: ExpiresAt follows expires_in 120', (Left > 110) and (Left <= 121),
      IntToStr(Left) + ' s left');
  finally
    C.Free;
  end;
end;

procedure TestViewerToken;
var
  C: TTeleradyolojiClient;
  T, T2, S: TTeleradyolojiToken;
begin
  Reset;
  C := TTeleradyolojiClient.CreateWith('1234567', Password, 'SANDBOX-HIS',
    Base, Base + '/integrationapi', Base + '/viewer/');
  try
    T := C.ViewerToken(DoctorTC, PatientTC);
    NoteSecret(T.Value);
    Check('ViewerToken(doctor, patient): a value', Length(T.Value) > 10);
    Check('ViewerToken: identity numbers on the wire',
      (StatInt('tokens_by_key.' + DoctorTC + '|' + PatientTC) = 1) and
      (Stat('last_token_form.DoctorIdentityNumber') = DoctorTC) and
      (Stat('last_token_form.PatientIdentityNumber') = PatientTC));
    T2 := C.ViewerToken(DoctorTC, PatientTC);
    Check('ViewerToken: cached per doctor and patient',
      SameBytes(T.Value, T2.Value) and (StatInt('token_requests') = 1));
    T2 := C.ViewerToken;
    NoteSecret(T2.Value);
    Check('ViewerToken(): no identity numbers sent',
      (StatInt('token_requests') = 2) and
      (Stat('last_token_form.DoctorIdentityNumber') = '') and not SameBytes(T.Value, T2.Value));
    Check('ViewerToken: ExpiresAt in the future', T2.ExpiresAt > LocalTimeToUniversal(Now));
    S := C.ServiceToken;
    NoteSecret(S.Value);
    Check('ServiceToken and ViewerToken() are cached apart',
      not SameBytes(S.Value, T2.Value) and (StatInt('token_requests') = 3));
  finally
    C.Free;
  end;
end;

procedure TestPostOtacAndUrls;
var
  C: TTeleradyolojiClient;
  T: TTeleradyolojiToken;
  Otac, Url, Body, Prefix: string;
begin
  Reset;
  C := NewClient;
  try
    T := C.ViewerToken(DoctorTC, PatientTC);
    NoteSecret(T.Value);
    Otac := C.PostOtac(T.Value, 'ACC-1');
    NoteSecret(Otac);
    Check('PostOtac: a 43-character OTAC', Length(Otac) = 43, IntToStr(Length(Otac)));
    Check('PostOtac: accession and bearer on the wire',
      (JsonField(Stat('last_otac_request.body'), 'AccessionNumber') = 'ACC-1') and
      (Stat('last_otac_request.authorization') = 'Bearer'));

    Url := C.BuildViewerUrl(Otac);
    NoteSecret(Url);
    Check('BuildViewerUrl', SameBytes(Url, Base + '/viewer/#/viewpatient?otac=' + Otac));
    Check('BuildViewerUrl: the viewer opens the study once',
      (OpenViewer(Url, Body) = 200) and (JsonField(Body, 'accession') = 'ACC-1'), Body);
    Check('BuildViewerUrl: percent-encodes + / =',
      Contains(C.BuildViewerUrl('ab+/='), '#/viewpatient?otac=ab%2B%2F%3D'));

    Url := C.ViewerUrl('ACC-2', DoctorTC, PatientTC);
    NoteSecret(Url);
    NoteSecret(Copy(Url, Pos('otac=', Url) + 5, MaxInt));
    Prefix := Base + '/viewer/#/viewpatient?otac=';
    Check('ViewerUrl: on the viewer base', SameBytes(Copy(Url, 1, Length(Prefix)), Prefix));
    Check('ViewerUrl: opens the study', (OpenViewer(Url, Body) = 200) and
      (JsonField(Body, 'accession') = 'ACC-2'), Body);
    Check('ViewerUrl: the OTAC is one-time', OpenViewer(Url, Body) = 410);
    Check('ViewerUrl: reuses the cached viewer token', StatInt('token_requests') = 1);
  finally
    C.Free;
  end;
end;

procedure TestCall;
var
  C: TTeleradyolojiClient;
  R: string;
begin
  Reset;
  C := NewClient;
  try
    R := C.Call('GET', 'echo/x?a=1');
    Check('Call GET', (JsonField(R, 'method') = 'GET') and (JsonField(R, 'path') = '/echo/x') and
      (JsonField(R, 'query') = 'a=1') and (JsonField(R, 'token_kind') = 'service'), R);
    R := C.Call('POST', '/echo', '{"a":1}');
    Check('Call POST with a JSON body', (JsonField(R, 'body.a') = '1') and
      Contains(Stat('last_api_request.content_type'), 'application/json'), R);
    R := C.Call('DELETE', 'echo/y');
    Check('Call DELETE without a body', (JsonField(R, 'method') = 'DELETE') and
      Contains(R, '"body":null'), R);
  finally
    C.Free;
  end;
end;

{ The bytes of B as '41 42 00 ...' (the bytes themselves, no conversion). }
function HexBytes(const B: TTeleradyolojiBytes): string;
var
  I: Integer;
begin
  Result := '';
  for I := 1 to Length(B) do
  begin
    if I > 1 then
      Result := Result + ' ';
    Result := Result + LowerCase(IntToHex(Ord(B[I]), 2));
  end;
end;

procedure TestCallBytes;
var
  C: TTeleradyolojiClient;
  B: TTeleradyolojiBytes;
begin
  Reset;
  C := NewClient;
  try
    B := C.CallBytes('GET', 'binary');
    Check('CallBytes GET binary: the 9 bytes exactly',
      HexBytes(B) = '41 42 00 43 44 ff fe 45 46', HexBytes(B));
    B := C.CallBytes('HEAD', 'echo');
    Check('CallBytes HEAD: no bytes', Length(B) = 0, HexBytes(B));
    B := C.CallBytes('POST', 'echo/b', '{"n":1}');
    Check('CallBytes POST: the JSON answer as bytes',
      (Length(B) > 0) and (B[1] = '{') and (Pos('"body":{"n":1}', B) > 0), HexBytes(B));
    try
      C.CallBytes('GET', 'status/404');
      NoRaise('CallBytes GET status/404');
    except
      on E: Exception do
        with ExpectError('CallBytes GET status/404', E, TRL_E_HTTP, 404) do
          Check('CallBytes: Response holds the server body', Contains(Response, 'status 404'), Response);
    end;
    try
      C.Call('GET', 'binary');
      NoRaise('Call GET binary');
    except
      on E: Exception do
        with ExpectError('Call GET binary: not UTF-8', E, TRL_E_PROTOCOL, 200) do
          Check('Call GET binary: says so, past the NUL',
            Contains(Message, 'not UTF-8') and Contains(Message, 'byte 0xff at offset 5') and
            Contains(Message, 'CallBytes'), Message);
    end;
  finally
    C.Free;
  end;
end;

{$IFDEF UNIX}
{ libc's fork(), which runs pthread_atfork handlers (Free Pascal's FpFork is
  a raw system call that does not). }
function LibcFork: TPid; cdecl; external 'c' name 'fork';

{ fork() without exec after the library loaded, through FpFork and through
  libc: in the child every call raises TRL_E_FORKED at once and Free raises
  nothing; the parent goes on. The child reports the first failed step
  through its exit code; an alarm ends it if it hangs. }
procedure TestFork;
var
  C: TTeleradyolojiClient;
  Version: string;
  Round: Integer;
  Pid: TPid;
  Status: cint;
  Url: string;

  function Forked(E: Exception): Boolean;
  begin
    Result := (E is ETeleradyolojiError) and
      (ETeleradyolojiError(E).Status = TRL_E_FORKED) and
      (ETeleradyolojiError(E).StatusName = 'TRL_E_FORKED') and
      Contains(E.Message, 'fork') and not ETeleradyolojiError(E).Retryable;
  end;

  procedure Child(ViaLibc: Boolean);
  var
    Code: Integer;
    C2: TTeleradyolojiClient;
    F: TTrlFpuState;
    PUrl: PAnsiChar;
  begin
    FpAlarm(20);
    Code := 0;
    try
      C.ViewerUrl('ACC-FORK-CHILD');
      Code := 10;
    except
      on E: Exception do if not Forked(E) then Code := 11;
    end;
    if Code = 0 then
      try
        C.CallBytes('GET', 'binary');
        Code := 20;
      except
        on E: Exception do if not Forked(E) then Code := 21;
      end;
    if Code = 0 then
      try
        C2 := NewClient;
        C2.Free;
        Code := 30;
      except
        on E: Exception do if not Forked(E) then Code := 31;
      end;
    if (Code = 0) and ((TeleradyolojiVersion <> Version) or
      (TeleradyolojiAbiVersion <> TeleradyolojiAbi) or
      (TeleradyolojiStatusName(TRL_E_FORKED) <> 'TRL_E_FORKED')) then
      Code := 40;
    if (Code = 0) and ViaLibc then
    begin
      { The library's own answer (the raw import bypasses the unit). }
      PUrl := nil;
      TrlMaskFpu(F);
      if trl_build_viewer_url(C.Handle, 'abc', @PUrl, nil) <> TRL_E_FORKED then
        Code := 50;
      TrlRestoreFpu(F);
    end;
    try
      C.Free;   { the parent's client: nothing to close here, no error }
    except
      if Code = 0 then Code := 60;
    end;
    FpExit(Code);
  end;

begin
  Reset;
  C := NewClient;
  try
    Version := TeleradyolojiVersion;
    Url := C.ViewerUrl('ACC-FORK-PARENT');
    NoteSecret(Url);
    for Round := 1 to 2 do
    begin
      if Round = 1 then
        Pid := FpFork
      else
        Pid := LibcFork;
      if Pid = 0 then
        Child(Round = 2);
      Status := 0;
      FpWaitPid(Pid, @Status, 0);
      Check('fork (' + IntToStr(Round) + ' of FpFork, libc fork): the child got TRL_E_FORKED ' +
        'from every call and freed its copy quietly', WIFEXITED(Status) and (WEXITSTATUS(Status) = 0),
        'wait status ' + IntToStr(Status) + ', exit code ' + IntToStr(WEXITSTATUS(Status)));
    end;
    Url := C.ViewerUrl('ACC-FORK-PARENT');
    NoteSecret(Url);
    Check('fork: the parent still works', Pos('otac=', Url) > 0);
    Check('fork: only the parent''s requests reached the sandbox',
      StatInt('otac_requests') = 2, Stat('otac_requests'));
  finally
    C.Free;
  end;
end;
{$ENDIF}

procedure TestTurkish;
var
  C: TTeleradyolojiClient;
  Url, Body, R, Stats: string;
begin
  Reset;
  C := NewClient;
  try
    { Checked on the raw bytes: fpjson needs cwstring for non-ASCII text. }
    Url := C.ViewerUrl(Turkish, DoctorTC);
    NoteSecret(Url);
    NoteSecret(Copy(Url, Pos('otac=', Url) + 5, MaxInt));
    Stats := RawStats;
    Check('Turkish accession: UTF-8 on the wire',
      Contains(Stats, '{\"AccessionNumber\":\"' + Turkish + '\"}'), Stats);
    Check('Turkish accession: the viewer opens that study',
      (OpenViewer(Url, Body) = 200) and Contains(Body, '"accession":"' + Turkish + '"'), Body);

    R := C.Call('POST', 'echo/tr', '{"ad":"' + Turkish + '"}');
    Stats := RawStats;
    Check('Turkish JSON body: in', Contains(Stats, '{\"ad\":\"' + Turkish + '\"}'), Stats);
    Check('Turkish JSON body: out', Contains(R, '"ad":"' + Turkish + '"'), R);

    try
      C.PostOtac(C.ViewerToken(DoctorTC).Value, 'NOT-FOUND');
      NoRaise('Turkish server message');
    except
      on E: Exception do
        with ExpectError('PostOtac NOT-FOUND', E, TRL_E_HTTP, 200) do
          Check('Turkish server message in ServerErrorDescription and Message',
            SameBytes(ServerErrorDescription, 'Tetkik bulunamadı') and
            Contains(Message, 'Tetkik bulunamadı'), Message);
    end;
  finally
    C.Free;
  end;
end;

{ S as a non-Unicode program holds what the user typed or a file gave
  (Delphi 7's AnsiString): in the ANSI code page. (A Free Pascal literal
  under the UTF8 codepage directive would stay UTF-8 there.) }
function AsAnsi(const S: string): string;
begin
  Result := S;
{$IFNDEF UNICODE}
  SetCodePage(RawByteString(Result), DefaultSystemCodePage, True);
{$ENDIF}
end;

{ Whether the program's string type holds the Turkish letters of
  OddPassword: always with UnicodeString; with AnsiString only where the
  code page has them (UTF-8 on Linux, 1254 on Turkish Windows, not 1252). }
function StringHoldsTurkish: Boolean;
const
  Letters = 'ğşıİ';
begin
  Result := SameBytes(AsAnsi(Letters), Letters);
end;

{ A second sandbox whose credentials carry Turkish letters, quotes and a
  backslash: CreateWith must escape them as JSON and send them as UTF-8;
  CreateWithUtf8 must do so in every program, also a non-Unicode one whose
  ANSI code page lacks the letters. On Linux the test starts that sandbox;
  under Wine (whose Linux child processes get no pipes) make starts it and
  passes its URL in TRL_SANDBOX_TR_URL, with these same credentials. }
procedure TestTurkishCredentials;
const
  OddPassword = 'Şifre "İçeri" \ ğüö/ç ış';
  OddApp = 'HBYS "Çağ" \ 1';
var
  OddBase: string;

  procedure TryCredentials(Utf8: Boolean);
  var
    C: TTeleradyolojiClient;
    T: TTeleradyolojiToken;
    Name: string;
  begin
    Name := 'CreateWith';
    if Utf8 then
      Name := 'CreateWithUtf8';
    Name := Name + ': Turkish, quotes and backslash in credentials';
    if Utf8 then
      C := TTeleradyolojiClient.CreateWithUtf8('1234567', OddPassword, OddApp,
        UTF8String(OddBase), UTF8String(OddBase + '/integrationapi'), UTF8String(OddBase + '/viewer/'))
    else
      C := TTeleradyolojiClient.CreateWith('1234567', AsAnsi(OddPassword), AsAnsi(OddApp),
        OddBase, OddBase + '/integrationapi', OddBase + '/viewer/');
    try
      try
        T := C.ServiceToken;
        NoteSecret(T.Value);
        Check(Name, Utf8 or StringHoldsTurkish, 'accepted, though string cannot hold the letters');
      except
        on E: ETeleradyolojiError do
          if not Utf8 and not StringHoldsTurkish then
            Check(Name + ': refused where string cannot hold the letters (docs/delphi.md)',
              E.Status = TRL_E_AUTH, E.Message)
          else
            Check(Name, False, E.Message);
      end;
    finally
      C.Free;
    end;
  end;

{$IFDEF MSWINDOWS}
begin
  NoteSecret(OddPassword);
  OddBase := GetEnvironmentVariable('TRL_SANDBOX_TR_URL');
  Check('second sandbox (TRL_SANDBOX_TR_URL)', Copy(OddBase, 1, 7) = 'http://', OddBase);
  if Copy(OddBase, 1, 7) <> 'http://' then
    Exit;
  TryCredentials(False);
  TryCredentials(True);
end;
{$ELSE}
var
  P: TProcess;
  Bin: string;
  Ch: AnsiChar;
  Tries: Integer;
begin
  NoteSecret(OddPassword);
  Bin := GetEnvironmentVariable('TRL_SANDBOX_BIN');
  if Bin = '' then
    Bin := ExtractFilePath(ParamStr(0)) + '../teleradyoloji-sandbox';
  P := TProcess.Create(nil);
  try
    P.Executable := Bin;
    P.Parameters.Add('--port');
    P.Parameters.Add('0');
    P.Parameters.Add('--password');
    P.Parameters.Add(OddPassword);
    P.Parameters.Add('--application-code');
    P.Parameters.Add(OddApp);
    P.Options := [poUsePipes];
    P.Execute;
    OddBase := '';
    Tries := 0;
    while Tries < 500 do
    begin
      if P.Output.NumBytesAvailable > 0 then
      begin
        P.Output.Read(Ch, 1);
        if Ch = #10 then
          Break;
        OddBase := OddBase + Ch;
      end
      else
      begin
        Inc(Tries);
        Sleep(10);
      end;
    end;
    OddBase := Trim(OddBase);
    Check('second sandbox started', Copy(OddBase, 1, 7) = 'http://', OddBase);
    if Copy(OddBase, 1, 7) <> 'http://' then
      Exit;
    TryCredentials(False);
    TryCredentials(True);
  finally
    if P.Running then
      P.Terminate(0);
    P.WaitOnExit;
    P.Free;
  end;
end;
{$ENDIF}

procedure TestConfigErrors;
var
  C: TTeleradyolojiClient;
begin
  C := nil;
  try
    C := TTeleradyolojiClient.Create('{"institution_code":"1234567","password":"' +
      Password + '"');
    NoRaise('Create: malformed JSON');
  except
    on E: Exception do ExpectError('Create: malformed JSON', E, TRL_E_CONFIG, 0);
  end;
  C.Free;
  try
    C := TTeleradyolojiClient.Create('{"institution_code":"1","password":"' + Password +
      '","application_code":"x","institution_kode":"1"}');
    NoRaise('Create: unknown key');
  except
    on E: Exception do
      with ExpectError('Create: unknown key', E, TRL_E_CONFIG) do
        Check('Create: unknown key is named', Contains(Message, 'institution_kode'), Message);
  end;
  try
    C := TTeleradyolojiClient.CreateWith('', Password, 'SANDBOX-HIS');
    NoRaise('CreateWith: no institution code');
  except
    on E: Exception do ExpectError('CreateWith: no institution code', E, TRL_E_CONFIG);
  end;
  try
    C := TTeleradyolojiClient.CreateWith('1234567', Password, 'SANDBOX-HIS',
      'http://ogn.example.com');
    NoRaise('CreateWith: http:// to a non-loopback host');
  except
    on E: Exception do ExpectError('CreateWith: http:// to a non-loopback host', E, TRL_E_CONFIG);
  end;
end;

procedure TestAuthError;
var
  C: TTeleradyolojiClient;
begin
  NoteSecret(WrongPassword);
  Reset;
  C := TTeleradyolojiClient.CreateWith('1234567', WrongPassword, 'SANDBOX-HIS',
    Base, Base + '/integrationapi', Base + '/viewer/');
  try
    try
      C.ServiceToken;
      NoRaise('AUTH: wrong password');
    except
      on E: Exception do
        with ExpectError('AUTH: wrong password', E, TRL_E_AUTH, 400) do
          Check('AUTH: ServerError invalid_grant', ServerError = 'invalid_grant', ServerError);
    end;
    try
      C.ViewerUrl('ACC-1', DoctorTC, PatientTC);
      NoRaise('AUTH: ViewerUrl');
    except
      on E: Exception do ExpectError('AUTH: ViewerUrl', E, TRL_E_AUTH, 400);
    end;
    Check('AUTH: the wrong password went out as such',
      Stat('last_token_form.Password') = '<wrong>');
  finally
    C.Free;
  end;
end;

procedure TestHttpErrors;
var
  C: TTeleradyolojiClient;
  T: TTeleradyolojiToken;
begin
  Reset;
  C := NewClient;
  try
    try
      C.Call('GET', 'status/404');
      NoRaise('HTTP: Call GET status/404');
    except
      on E: Exception do
        with ExpectError('HTTP: Call GET status/404', E, TRL_E_HTTP, 404) do
          Check('HTTP: Response holds the server body', Contains(Response, 'status 404'), Response);
    end;
    Reset;
    try
      C.Call('POST', 'status/503', '{}');
      NoRaise('HTTP: Call POST status/503');
    except
      on E: Exception do ExpectError('HTTP: Call POST status/503', E, TRL_E_HTTP, 503);
    end;
    Check('HTTP: a POST is not resent', StatInt('api_requests') = 1, Stat('api_requests'));

    T := C.ViewerToken;
    NoteSecret(T.Value);
    Control('/_sandbox/revoke');
    try
      C.PostOtac(T.Value, 'ACC-1');
      NoRaise('HTTP: PostOtac with a revoked token');
    except
      on E: Exception do ExpectError('HTTP: PostOtac with a revoked token', E, TRL_E_HTTP, 401);
    end;
  finally
    C.Free;
  end;
end;

procedure TestNetworkTimeoutProtocol;
var
  C: TTeleradyolojiClient;
  Dead: string;
  Started: TDateTime;
begin
  Dead := 'http://127.0.0.1:' + IntToStr(ClosedPort);
  C := TTeleradyolojiClient.Create('{"institution_code":"1234567","password":"' + Password +
    '","application_code":"SANDBOX-HIS","ogn_url":"' + Dead + '","api_url":"' + Dead +
    '/integrationapi","viewer_url":"' + Dead + '/viewer/","retries":0,"timeout_ms":3000}');
  try
    try
      C.ServiceToken;
      NoRaise('NETWORK: closed port');
    except
      on E: Exception do ExpectError('NETWORK: closed port', E, TRL_E_NETWORK, 0);
    end;
  finally
    C.Free;
  end;

  Reset;
  Control('/_sandbox/faults', '{"target":"token","kind":"latency","delay_ms":3000,"count":1}');
  C := NewClient(',"timeout_ms":300');
  try
    Started := Now;
    try
      C.ServiceToken;
      NoRaise('TIMEOUT: slow token endpoint');
    except
      on E: Exception do ExpectError('TIMEOUT: slow token endpoint', E, TRL_E_TIMEOUT);
    end;
    Check('TIMEOUT: within timeout_ms', MilliSecondsBetween(Now, Started) < 2500);
  finally
    C.Free;
  end;

  Reset;
  C := NewClient;
  try
    Control('/_sandbox/faults', '{"target":"otac","kind":"malformed","count":0}');
    try
      C.ViewerUrl('ACC-1');
      NoRaise('PROTOCOL: malformed PostOtac answer');
    except
      on E: Exception do ExpectError('PROTOCOL: malformed PostOtac answer', E, TRL_E_PROTOCOL);
    end;
  finally
    C.Free;
  end;
end;

procedure TestInvalidArguments;
var
  C: TTeleradyolojiClient;
  T: TTeleradyolojiToken;
begin
  Reset;
  C := NewClient;
  try
    T := C.ViewerToken;
    NoteSecret(T.Value);
    try
      C.PostOtac(T.Value, '');
      NoRaise('INVALID_ARGUMENT: empty accession');
    except
      on E: Exception do ExpectError('INVALID_ARGUMENT: empty accession', E, TRL_E_INVALID_ARGUMENT);
    end;
    try
      C.BuildViewerUrl('not an otac');
      NoRaise('INVALID_ARGUMENT: OTAC with spaces');
    except
      on E: Exception do ExpectError('INVALID_ARGUMENT: OTAC with spaces', E, TRL_E_INVALID_ARGUMENT);
    end;
    try
      C.Call('GET', 'http://127.0.0.1:1/steal');
      NoRaise('INVALID_ARGUMENT: absolute URL in Call');
    except
      on E: Exception do ExpectError('INVALID_ARGUMENT: absolute URL in Call', E, TRL_E_INVALID_ARGUMENT);
    end;
    try
      C.Call('GET', 'echo/../../x');
      NoRaise('INVALID_ARGUMENT: .. in Call');
    except
      on E: Exception do ExpectError('INVALID_ARGUMENT: .. in Call', E, TRL_E_INVALID_ARGUMENT);
    end;
    Check('INVALID_ARGUMENT: nothing was sent', StatInt('api_requests') = 0);
  finally
    C.Free;
  end;
end;

{ The raw imports, FPU-masked as their comment asks. }
function RawClose(H: TTrlClient): Integer;
var
  F: TTrlFpuState;
begin
  TrlMaskFpu(F);
  Result := trl_client_close(H);
  TrlRestoreFpu(F);
end;

procedure TestBadHandle;
var
  C: TTeleradyolojiClient;
  H: TTrlClient;
begin
  C := NewClient;
  H := C.Handle;
  Check('Handle is set', H <> 0);
  Check('raw trl_client_close', RawClose(H) = TRL_OK);
  try
    C.ServiceToken;
    NoRaise('BAD_HANDLE: ServiceToken on a closed handle');
  except
    on E: Exception do ExpectError('BAD_HANDLE: ServiceToken on a closed handle', E, TRL_E_BAD_HANDLE);
  end;
  try
    C.BuildViewerUrl('abc');
    NoRaise('BAD_HANDLE: BuildViewerUrl on a closed handle');
  except
    on E: Exception do ExpectError('BAD_HANDLE: BuildViewerUrl on a closed handle', E, TRL_E_BAD_HANDLE);
  end;
  try
    C.Free;
    Check('Free after the handle was closed: no exception', True);
  except
    on E: Exception do Check('Free after the handle was closed: no exception', False, E.Message);
  end;

  C := NewClient;
  H := C.Handle;
  C.Free;
  Check('Free closes the handle', RawClose(H) = TRL_E_BAD_HANDLE);
  Check('trl_client_close(0) is a no-op', RawClose(0) = TRL_OK);
end;

{ Delphi before RAD Studio 12 runs with invalid, zero-divide and overflow
  exceptions unmasked. Every call must still work and leave the caller's
  control words exactly as they were. }
procedure TestUnmaskedFpu;
var
  OldX87, CallerX87: Word;
  OldMXCSR: Cardinal;
  F: TTrlFpuState;
  InX87: Word;
  InMXCSR: Cardinal;
  C: TTeleradyolojiClient;
  Url: string;
  Kept, Worked: Boolean;

  procedure Same;
  begin
    Kept := Kept and (GetX87 = CallerX87) and ((GetMXCSR and $FFC0) = DelphiMXCSR);
  end;

begin
  OldX87 := GetX87;
  OldMXCSR := GetMXCSR;
  Reset;
  SetX87(DelphiX87);
  SetMXCSR(DelphiMXCSR);
  CallerX87 := GetX87;   { $1372: reserved bit 6 reads as 1 }
  Kept := (CallerX87 and $FFBF) = DelphiX87;
  Worked := False;
  try
    TrlMaskFpu(F);
    InX87 := GetX87;
    InMXCSR := GetMXCSR;
    TrlRestoreFpu(F);
    Same;
    Check('TrlMaskFpu masks all six exceptions (x87 and SSE)',
      ((InX87 and $3F) = $3F) and ((InMXCSR and $1F80) = $1F80) and
      ((InX87 and not $3F) = (CallerX87 and not $3F)),
      IntToHex(InX87, 4) + ' ' + IntToHex(InMXCSR, 8));
    Check('TrlMaskFpu saved the caller''s words',
      (F.X87 = CallerX87) and ((F.MXCSR and $FFC0) = DelphiMXCSR));

    TeleradyolojiVersion;
    Same;
    C := NewClient;
    try
      Same;
      NoteSecret(C.ServiceToken.Value);
      Same;
      Url := C.ViewerUrl('ACC-FPU', DoctorTC, PatientTC);
      NoteSecret(Url);
      Same;
      C.Call('GET', 'echo');
      Same;
      try
        C.Call('GET', 'status/500');
      except
        on E: ETeleradyolojiError do Same;
      end;
      Same;
      Worked := Pos('otac=', Url) > 0;
    finally
      C.Free;
    end;
    Same;
  finally
    SetX87(OldX87);
    SetMXCSR(OldMXCSR);
  end;
  Check('unmasked FPU (x87 $1332, MXCSR $1900): calls succeed', Worked);
  Check('unmasked FPU: the caller''s control words are kept after every call', Kept);
end;

type
  { Calls one shared client with its own unmasked FPU state. }
  TCaller = class(TThread)
  public
    Client: TTeleradyolojiClient;
    Index, Done: Integer;
    Kept: Boolean;
    Error: string;
    procedure Execute; override;
  end;

procedure TCaller.Execute;
var
  I: Integer;
  Mine: Word;
begin
  Kept := True;
  SetX87(DelphiX87);
  SetMXCSR(DelphiMXCSR);
  Mine := GetX87;
  try
    for I := 1 to 20 do
    begin
      if Pos('otac=', Client.ViewerUrl('ACC-T' + IntToStr(Index), IntToStr(Index))) > 0 then
        Inc(Done);
      Kept := Kept and (GetX87 = Mine) and ((GetMXCSR and $FFC0) = DelphiMXCSR);
    end;
  except
    on E: Exception do
      Error := E.ClassName + ': ' + E.Message;
  end;
end;

{ One client, several threads at once, each with Delphi's unmasked words. }
procedure TestThreads;
const
  Count = 4;
var
  C: TTeleradyolojiClient;
  T: array[1..Count] of TCaller;
  I, Done: Integer;
  Kept: Boolean;
  Errors: string;
begin
  Reset;
  C := NewClient;
  try
    for I := 1 to Count do
    begin
      T[I] := TCaller.Create(True);
      T[I].Client := C;
      T[I].Index := I;
      T[I].Start;
    end;
    Done := 0;
    Kept := True;
    Errors := '';
    for I := 1 to Count do
    begin
      T[I].WaitFor;
      Inc(Done, T[I].Done);
      Kept := Kept and T[I].Kept;
      Errors := Errors + T[I].Error;
      T[I].Free;
    end;
    Check('threads: 4 x 20 ViewerUrl on one client', Done = Count * 20,
      IntToStr(Done) + ' ' + Errors);
    Check('threads: each thread''s control words kept', Kept);
    Check('threads: one viewer token per doctor', StatInt('token_requests') = Count,
      Stat('token_requests'));
  finally
    C.Free;
  end;
end;

{ ---- Logging, Turkish messages, the doctor ------------------------------ }

type
  { Keeps every event; can hold the library's thread inside the handler. }
  TLogSink = class
  public
    Lock: TCriticalSection;
    Names, Jsons: TStringList;
    Levels: array of Integer;
    GateClosed, Waiting: Boolean;
    constructor Create;
    destructor Destroy; override;
    procedure OnLog(Level: Integer; const EventName, Message, EventJson: string);
    procedure Gate(Closed: Boolean);
    function IsWaiting: Boolean;
    function Count: Integer;
    function IndexOf(const Name: string; From: Integer = 0): Integer;
    function WaitEvent(const Name: string): Boolean;
    function Sum(const Name, Field: string): Integer;
  end;

constructor TLogSink.Create;
begin
  inherited Create;
  Lock := TCriticalSection.Create;
  Names := TStringList.Create;
  Jsons := TStringList.Create;
end;

destructor TLogSink.Destroy;
begin
  Names.Free;
  Jsons.Free;
  Lock.Free;
  inherited Destroy;
end;

procedure TLogSink.OnLog(Level: Integer; const EventName, Message, EventJson: string);
var
  Closed: Boolean;
begin
  Lock.Enter;
  try
    Names.Add(EventName);
    Jsons.Add(EventJson);
    SetLength(Levels, Length(Levels) + 1);
    Levels[High(Levels)] := Level;
  finally
    Lock.Leave;
  end;
  repeat
    Lock.Enter;
    Closed := GateClosed;
    Waiting := Closed;
    Lock.Leave;
    if Closed then
      Sleep(2);
  until not Closed;
end;

procedure TLogSink.Gate(Closed: Boolean);
begin
  Lock.Enter;
  GateClosed := Closed;
  Lock.Leave;
end;

function TLogSink.IsWaiting: Boolean;
begin
  Lock.Enter;
  Result := Waiting;
  Lock.Leave;
end;

function TLogSink.Count: Integer;
begin
  Lock.Enter;
  Result := Names.Count;
  Lock.Leave;
end;

function TLogSink.IndexOf(const Name: string; From: Integer): Integer;
var
  I: Integer;
begin
  Result := -1;
  Lock.Enter;
  try
    for I := From to Names.Count - 1 do
      if Names[I] = Name then
      begin
        Result := I;
        Exit;
      end;
  finally
    Lock.Leave;
  end;
end;

{ Waits (10 s at most: a bound, not a timing) for an event. }
function TLogSink.WaitEvent(const Name: string): Boolean;
var
  I: Integer;
begin
  for I := 1 to 1000 do
  begin
    if IndexOf(Name) >= 0 then
    begin
      Result := True;
      Exit;
    end;
    Sleep(10);
  end;
  Result := False;
end;

{ The number of events named Name, or the sum of their integer Field. }
function TLogSink.Sum(const Name, Field: string): Integer;
var
  I: Integer;
begin
  Result := 0;
  Lock.Enter;
  try
    for I := 0 to Names.Count - 1 do
      if Names[I] = Name then
        if Field = '' then
          Inc(Result)
        else
          Inc(Result, StrToIntDef(JsonField(Jsons[I], Field), 0));
  finally
    Lock.Leave;
  end;
end;

function InOrder(Sink: TLogSink; const Wanted: array of string): Boolean;
var
  I, At: Integer;
begin
  At := 0;
  Result := True;
  for I := Low(Wanted) to High(Wanted) do
  begin
    At := Sink.IndexOf(Wanted[I], At);
    if At < 0 then
    begin
      Result := False;
      Exit;
    end;
    Inc(At);
  end;
end;

procedure TestLogging;
var
  Sink: TLogSink;
  C: TTeleradyolojiClient;
  Url: string;
  I, Done, Before: Integer;
  Leak, LevelsOk: Boolean;
begin
  Reset;
  NoteSecret(DoctorTC);
  NoteSecret(PatientTC);
  Sink := TLogSink.Create;
  try
    TeleradyolojiSetLog(Sink.OnLog, TRL_LOG_DEBUG);
    C := NewClient(',"prewarm":false');
    try
      NoteSecret(C.ServiceToken.Value);
      C.ServiceToken;
      Url := C.ViewerUrl('ACC-LOG', DoctorTC, PatientTC);
      NoteSecret(Url);
      NoteSecret(Copy(Url, Pos('otac=', Url) + 5, MaxInt));
      NoteSecret(C.ViewerToken(DoctorTC, PatientTC).Value);
    finally
      C.Free;
    end;
    Check('log: client.closed arrives', Sink.WaitEvent('client.closed'));
    Check('log: events in order', InOrder(Sink, ['client.created', 'conn.opened', 'token.fetched',
      'token.cache_hit', 'token.fetched', 'otac.issued', 'token.cache_hit', 'client.closed']),
      Sink.Names.CommaText);
    I := Sink.IndexOf('token.fetched', Sink.IndexOf('token.fetched') + 1);
    Check('log: the doctor masked, the level INFO', (I >= 0) and
      (JsonField(Sink.Jsons[I], 'doctor') = '123******01') and (Sink.Levels[I] = TRL_LOG_INFO));
    Leak := False;
    LevelsOk := True;
    for I := 0 to Sink.Count - 1 do
    begin
      Leak := Leak or LeaksSecret(Sink.Jsons[I]);
      LevelsOk := LevelsOk and (Sink.Levels[I] = StrToIntDef(JsonField(Sink.Jsons[I], 'level'), -1));
    end;
    Check('log: no secret or full identity number in any event', not Leak);
    Check('log: Level is the event''s level', LevelsOk);

    { A blocked handler slows no call (counted, not timed). }
    TeleradyolojiSetLog(nil);
    Before := Sink.Count;
    C := NewClient;
    try
      C.ServiceToken;   { cached: the calls below are cache hits }
      Sink.Gate(True);
      TeleradyolojiSetLog(Sink.OnLog, TRL_LOG_DEBUG);
      C.ServiceToken;
      for I := 1 to 1000 do
        if not Sink.IsWaiting then
          Sleep(10);
      Check('log: the handler is blocked', Sink.IsWaiting);
      Done := 0;
      for I := 1 to 3000 do
        if C.ServiceToken.Value <> '' then
          Inc(Done);
      Check('log: 3000 calls done while the handler stayed blocked',
        (Done = 3000) and Sink.IsWaiting and (Sink.Count = Before + 1), IntToStr(Done));
      Sink.Gate(False);
      for I := 1 to 1000 do
        if Sink.Sum('log.dropped', 'dropped') + Sink.Sum('token.cache_hit', '') < 3001 then
          Sleep(10);
      Check('log: every event delivered or reported dropped',
        Sink.Sum('log.dropped', 'dropped') + Sink.Sum('token.cache_hit', '') >= 3001,
        IntToStr(Sink.Sum('log.dropped', 'dropped')));
      TeleradyolojiSetLog(nil);
      Before := Sink.Count;
      C.ServiceToken;
      Sleep(100);
      Check('log: nothing after TeleradyolojiSetLog(nil)', Sink.Count = Before);
    finally
      C.Free;
    end;
  finally
    TeleradyolojiSetLog(nil);
    Sink.Free;
  end;
end;

{ Waits (10 s at most: a bound, not a timing) until a sandbox counter
  reaches Want. }
function WaitStat(const Path: string; Want: Integer): Boolean;
var
  I: Integer;
begin
  for I := 1 to 2000 do
  begin
    if StatInt(Path) >= Want then
    begin
      Result := True;
      Exit;
    end;
    Sleep(5);
  end;
  Result := False;
end;

procedure TestPrefetch;
var
  Sink: TLogSink;
  C: TTeleradyolojiClient;
  I, N, Before: Integer;
  Leak: Boolean;
begin
  Reset;
  C := NewClient;
  try
    C.PrefetchViewerToken(DoctorTC, PatientTC);
    Check('prefetch: its token request', WaitStat('token_requests', 1));
    Reset;
    NoteSecret(C.ViewerUrl('ACC-PREFETCH', DoctorTC, PatientTC));
    Check('prefetch: the click makes 1 postOTAC and no token request',
      (StatInt('token_requests') = 0) and (StatInt('otac_requests') = 1), RawStats);
    try
      C.PrefetchViewerToken('1'#10'2', PatientTC);
      NoRaise('prefetch: a bad identity number');
    except
      on E: Exception do ExpectError('prefetch: a bad identity number', E, TRL_E_INVALID_ARGUMENT);
    end;

    { 100 hints while the first two fetches are held: 4 to 6 fetches. }
    Reset;
    Control('/_sandbox/faults', '{"target":"token","kind":"hold","count":2}');
    for I := 0 to 99 do
      C.PrefetchViewerToken(DoctorTC, '7000000' + Format('%.4d', [I]));
    Check('prefetch burst: two held', WaitStat('token_requests', 2));
    Control('/_sandbox/release');
    Check('prefetch burst: the newest waiting ones', WaitStat('token_requests', 4));
    Before := StatInt('otac_requests');
    for I := 96 to 99 do
      NoteSecret(C.ViewerUrl('ACC-ROW', DoctorTC, '7000000' + Format('%.4d', [I])));
    N := StatInt('token_requests');
    Check('prefetch burst: bounded', (N >= 4) and (N <= 6), IntToStr(N) + ' token requests');
    Check('prefetch burst: the newest rows need only their postOTAC',
      StatInt('otac_requests') = Before + 4);
  finally
    C.Free;
  end;

  { A refused prefetch raises nothing; it is logged, and the click raises. }
  NoteSecret(WrongPassword);
  NoteSecret(DoctorTC);
  NoteSecret(PatientTC);
  Reset;
  Sink := TLogSink.Create;
  try
    TeleradyolojiSetLog(Sink.OnLog, TRL_LOG_DEBUG);
    C := TTeleradyolojiClient.CreateWith('1234567', WrongPassword, 'SANDBOX-HIS',
      Base, Base + '/integrationapi', Base + '/viewer/');
    try
      C.PrefetchViewerToken(DoctorTC, PatientTC);
      Check('prefetch: the refusal is logged', Sink.WaitEvent('token.refused'));
      I := Sink.IndexOf('token.refused');
      Check('prefetch: logged as a prefetch', (I >= 0) and (JsonField(Sink.Jsons[I], 'ahead') = 'prefetch'));
      try
        C.ViewerUrl('ACC-1', DoctorTC, PatientTC);
        NoRaise('prefetch: the click after a refused prefetch');
      except
        on E: Exception do ExpectError('prefetch: the click after a refused prefetch', E, TRL_E_AUTH, 400);
      end;
    finally
      C.Free;
    end;
    TeleradyolojiSetLog(nil);
    Leak := False;
    for I := 0 to Sink.Count - 1 do
      Leak := Leak or LeaksSecret(Sink.Jsons[I]);
    Check('prefetch: no secret or full identity number in any event', not Leak);
  finally
    TeleradyolojiSetLog(nil);
    Sink.Free;
  end;
end;

procedure TestTurkishMessages;
var
  C: TTeleradyolojiClient;
begin
  Reset;
  C := TTeleradyolojiClient.CreateWith('1234567', WrongPassword, 'SANDBOX-HIS',
    Base, Base + '/integrationapi', Base + '/viewer/');
  try
    try
      C.ServiceToken;
      NoRaise('MessageTr: AUTH');
    except
      on E: ETeleradyolojiError do
        Check('MessageTr: AUTH in Turkish', Contains(E.MessageTr, 'e-Nabız şifresi veya kurum kodu hatalı'), E.MessageTr);
    end;
  finally
    C.Free;
  end;
  C := NewClient;
  try
    try
      C.ViewerUrl('NOT-FOUND');
      NoRaise('MessageTr: HTTP');
    except
      on E: ETeleradyolojiError do
        Check('MessageTr: the server''s Turkish words kept', Contains(E.MessageTr, 'Tetkik bulunamadı'), E.MessageTr);
    end;
    try
      C.ViewerUrl('');
      NoRaise('MessageTr: INVALID_ARGUMENT');
    except
      on E: ETeleradyolojiError do
        Check('MessageTr: INVALID_ARGUMENT in Turkish', Contains(E.MessageTr, 'Tetkik numarası'), E.MessageTr);
    end;
  finally
    C.Free;
  end;
end;

procedure TestDiagnose;
var
  C: TTeleradyolojiClient;
  R: string;
begin
  Reset;
  C := NewClient;
  try
    R := C.Diagnose;
    Check('Diagnose: ok', Copy(R, 1, 11) = '{"ok":true,', Copy(R, 1, 80));
    Check('Diagnose: the last step is api_call', Pos('"step":"api_call"', R) > Pos('"step":"credentials"', R));
    Check('Diagnose: no password', not LeaksSecret(R));
  finally
    C.Free;
  end;
  C := TTeleradyolojiClient.CreateWith('1234567', WrongPassword, 'SANDBOX-HIS',
    Base, Base + '/integrationapi', Base + '/viewer/');
  try
    R := C.Diagnose;
    Check('Diagnose: a wrong password fails the credentials step',
      Pos('{"step":"credentials","target":"ogn","ok":false', R) > 0, R);
    Check('Diagnose: Turkish advice', Contains(R, 'e-Nabız'));
    Check('Diagnose: no password', not LeaksSecret(R));
  finally
    C.Free;
  end;
end;

{ Runs a test; TRL_TEST_ONLY=NAME runs only that one. }
procedure Run(const Name: string; Test: TProcedure);
begin
  if (GetEnvironmentVariable('TRL_TEST_ONLY') <> '') and (GetEnvironmentVariable('TRL_TEST_ONLY') <> Name) then
    Exit;
  try
    Test;
  except
    on E: Exception do
      Check(Name, False, 'unexpected ' + E.ClassName + ': ' + E.Message);
  end;
end;

begin
  Base := GetEnvironmentVariable('TRL_SANDBOX_URL');
  Verbose := ParamStr(1) = '-v';
  NoteSecret(Password);
{$IFDEF TELERADYOLOJI_DYNAMIC}
  Run('dynamic loading', TestDynamicLoading);   { first: nothing is loaded yet }
{$ENDIF}
  WriteLn('Teleradyoloji.pas tests: Free Pascal ', {$I %FPCVERSION%}, ' ', {$I %FPCTARGETCPU%},
    {$IFDEF UNICODE}', UnicodeString'{$ELSE}', AnsiString'{$ENDIF},
    {$IFDEF TRL_TEST_CWSTRING}', cwstring'{$ELSE}', no cwstring'{$ENDIF},
    {$IFDEF TELERADYOLOJI_DYNAMIC}', run-time loading'{$ELSE}', static import'{$ENDIF},
    {$IFDEF MSWINDOWS}', ANSI code page ', GetACP,{$ENDIF}
    {$IFDEF TRL_TEST_FPU_WIN64}', Delphi''s Win64 FPU routines',{$ENDIF}
    ', library ', TeleradyolojiVersion);
  if Base = '' then
  begin
    WriteLn('TRL_SANDBOX_URL is not set: run me through scripts/with-sandbox.sh');
    WriteLn('0 passed, 1 failed');
    Halt(1);
  end;
  Run('library', TestLibrary);
  Run('service token', TestServiceToken);
  Run('viewer token', TestViewerToken);
  Run('PostOtac and URLs', TestPostOtacAndUrls);
  Run('Call', TestCall);
  Run('CallBytes', TestCallBytes);
  Run('Turkish', TestTurkish);
  Run('Turkish credentials', TestTurkishCredentials);
  Run('CONFIG', TestConfigErrors);
  Run('AUTH', TestAuthError);
  Run('HTTP', TestHttpErrors);
  Run('NETWORK, TIMEOUT, PROTOCOL', TestNetworkTimeoutProtocol);
  Run('INVALID_ARGUMENT', TestInvalidArguments);
  Run('BAD_HANDLE', TestBadHandle);
{$IFDEF UNIX}
  Run('FORKED', TestFork);   { Windows has no fork }
{$ENDIF}
  Run('unmasked FPU', TestUnmaskedFpu);
  Run('threads', TestThreads);
  Run('logging', TestLogging);
  Run('Turkish messages', TestTurkishMessages);
  Run('Diagnose', TestDiagnose);
  Run('prefetch', TestPrefetch);
  WriteLn(Passed, ' passed, ', Failed, ' failed');
  if Failed > 0 then
    Halt(1);
end.
